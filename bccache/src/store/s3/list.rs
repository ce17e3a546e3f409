//! Listing an S3 prefix with `ListObjectsV2` (paginated, each page bounded), and the rest of
//! what upkeep asks of an S3 store.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::builder::from_location;
use super::store::{S3Store, list_query};
use crate::error::Result;
use crate::net::http_client::{BadReply, ERROR_BODY};
use crate::net::object::{is_hex, parse_iso8601};
use crate::net::url::invalid;
use crate::upkeep::remote::{Listed, ObjectStore};

/// The longest `ListObjectsV2` page read (a page holds at most 1,000 keys).
const MAX_PAGE: usize = 16 * 1024 * 1024;
/// Pages listed at most: ten million objects.
const MAX_PAGES: usize = 10_000;

/// A page of a listing: its objects, and the token of the next page.
#[derive(Debug, Default, PartialEq)]
struct Page {
    objects: Vec<(String, u64, Option<String>)>,
    next: Option<String>,
}

fn parse_page(body: &[u8]) -> std::result::Result<Page, String> {
    let mut reader = Reader::from_reader(body);
    let mut page = Page::default();
    let mut object: Option<(String, u64, Option<String>)> = None;
    let mut truncated = false;
    let mut path: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|error| format!("a ListObjectsV2 reply that is not XML: {error}"))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if name == "Contents" {
                    object = Some((String::new(), 0, None));
                }
                path.push(name);
                if path.len() > 8 {
                    return Err("a ListObjectsV2 reply nested over 8 deep".to_owned());
                }
            }
            Event::Text(text) => {
                let text = text.into_inner();
                let text = text.trim();
                match (path.last().map(String::as_str), object.as_mut()) {
                    (Some("Key"), Some(object)) => object.0.push_str(text),
                    (Some("Size"), Some(object)) => object.1 = text.parse().unwrap_or(0),
                    (Some("LastModified"), Some(object)) => object.2 = Some(text.to_owned()),
                    (Some("IsTruncated"), None) => truncated = text == "true",
                    (Some("NextContinuationToken"), None) => page.next = Some(text.to_owned()),
                    _ => {}
                }
            }
            Event::GeneralRef(reference) => {
                // `&amp;` and the like in a key.
                let name = reference.into_inner();
                let character = match &*name {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => return Err(format!("an unknown entity `&{name};` in a listing")),
                };
                if let (Some("Key"), Some(object)) =
                    (path.last().map(String::as_str), object.as_mut())
                {
                    object.0.push_str(character);
                }
            }
            Event::End(end) => {
                path.pop();
                if end.local_name().as_ref() == "Contents"
                    && let Some(done) = object.take()
                {
                    page.objects.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !truncated {
        page.next = None;
    } else if page.next.is_none() {
        return Err("a truncated listing without a continuation token".to_owned());
    }
    Ok(page)
}

impl S3Store {
    /// The store at an upkeep location (`s3://bucket/prefix?endpoint=..&region=..`), with the
    /// environment's credentials, or anonymous when it has none.
    pub(crate) fn open(location: &str) -> Result<S3Store> {
        let has_keys = std::env::var_os("AWS_ACCESS_KEY_ID").is_some();
        let mut builder = from_location(location)?.ignore_errors(false);
        if !has_keys {
            builder = builder.anonymous();
        }
        let cache = builder.build()?;
        std::sync::Arc::try_unwrap(cache.inner)
            .map_err(|_| invalid(location, "the store is shared"))
    }
}

impl ObjectStore for S3Store {
    fn location(&self) -> String {
        S3Store::location(self)
    }

    fn naming(&self) -> String {
        format!("{}%s", self.shell.prefix)
    }

    /// Pages follow each other's continuation tokens: one request at a time, whatever
    /// `workers` says.
    fn list(&self, _workers: usize, progress: &mut dyn FnMut(u64)) -> Result<Vec<Listed>> {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let target = format!(
                "/{}?{}",
                self.bucket,
                list_query(&self.shell.prefix, token.as_deref())
            );
            let response = self
                .request("GET", &target, &[], &[], MAX_PAGE, None)
                .map_err(|failure| self.error("list", &self.shell.prefix, failure))?;
            if response.status != 200 {
                return Err(self.status_error("list", &self.shell.prefix, &response));
            }
            let page = parse_page(&response.body).map_err(|reason| {
                self.error("list", &self.shell.prefix, Box::new(BadReply(reason)))
            })?;
            found.extend(
                page.objects
                    .into_iter()
                    .map(|(name, size, modified)| Listed {
                        modified: modified.as_deref().and_then(parse_iso8601),
                        name,
                        size,
                    }),
            );
            progress(found.len() as u64);
            match page.next {
                Some(next) => token = Some(next),
                None => return Ok(found),
            }
        }
        Err(self.error(
            "list",
            &self.shell.prefix,
            Box::new(BadReply(format!("over {MAX_PAGES} pages"))),
        ))
    }

    fn looks_like_entry(&self, name: &str) -> bool {
        name.strip_prefix(&self.shell.prefix)
            .is_some_and(|key| is_hex(key, 40))
    }

    fn owns(&self, name: &str, key: &str) -> bool {
        name.strip_prefix(&self.shell.prefix) == Some(key)
    }

    fn fetch(&self, name: &str, first: Option<usize>) -> Result<Option<Vec<u8>>> {
        let target = self.object_target(name);
        let range = first.map(|n| format!("bytes=0-{}", n.saturating_sub(1)));
        let headers: Vec<(&str, &str)> = range.iter().map(|r| ("range", r.as_str())).collect();
        let response = self
            .request("GET", &target, &headers, &[], self.max_entry_size, None)
            .map_err(|failure| self.error("get", name, failure))?;
        match response.status {
            200 | 206 => Ok(Some(response.body)),
            404 => Ok(None),
            _ => Err(self.status_error("get", name, &response)),
        }
    }

    fn delete(&self, name: &str) -> Result<()> {
        let target = self.object_target(name);
        let response = self
            .request("DELETE", &target, &[], &[], ERROR_BODY, None)
            .map_err(|failure| self.error("delete", name, failure))?;
        match response.status {
            200..=299 | 404 => Ok(()),
            _ => Err(self.status_error("delete", name, &response)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_read_with_their_continuation() -> std::result::Result<(), String> {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
<KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok/1=</NextContinuationToken>
<Contents><Key>p/a&amp;b</Key><LastModified>2026-12-06T14:03:05.000Z</LastModified><Size>12</Size></Contents>
<Contents><Key>p/c</Key><Size>3</Size></Contents></ListBucketResult>"#;
        let page = parse_page(body)?;
        assert_eq!(page.next.as_deref(), Some("tok/1="));
        assert_eq!(page.objects.len(), 2);
        assert_eq!(page.objects[0].0, "p/a&b");
        assert_eq!(page.objects[0].1, 12);
        assert!(page.objects[0].2.is_some() && page.objects[1].2.is_none());
        let last =
            parse_page(b"<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")?;
        assert_eq!(last, Page::default());
        assert!(
            parse_page(b"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .is_err()
        );
        Ok(())
    }
}
