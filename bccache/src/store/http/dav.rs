//! Listing an HTTP cache with WebDAV `PROPFIND` (`Depth: 1`, a directory at a time, as deep as
//! the layout goes), and the rest of what upkeep asks of it.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::layout::HttpLayout;
use super::store::{HttpBytecodeCache, HttpStore};
use crate::error::Result;
use crate::net::http_client::{BadReply, ERROR_BODY};
use crate::net::http1::{decode_percent, encode_path};
use crate::net::object::is_hex;
use crate::net::url::invalid;
use crate::upkeep::parallel::in_order;
use crate::upkeep::remote::{Listed, ObjectStore};

/// The longest `PROPFIND` reply read: about 300,000 entries of one directory.
const MAX_LISTING: usize = 128 * 1024 * 1024;

const PROPFIND_BODY: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<D:propfind xmlns:D=\"DAV:\"><D:prop><D:resourcetype/><D:getcontentlength/>\
<D:getlastmodified/></D:prop></D:propfind>";

/// One `<response>` of a multi-status reply.
#[derive(Default)]
struct Member {
    href: String,
    collection: bool,
    size: u64,
    modified: Option<String>,
}

impl HttpStore {
    /// The store at an upkeep location: the cache URL, with `?layout=` naming its layout.
    pub(crate) fn open(location: &str) -> Result<HttpStore> {
        let (url, query) = location.split_once('?').unwrap_or((location, ""));
        let mut layout = HttpLayout::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.split_once('=') {
                Some(("layout", name)) => {
                    layout = HttpLayout::from_name(name).ok_or_else(|| {
                        invalid(location, "`layout` is one of `flat`, `subdirs`, `bazel`")
                    })?;
                }
                _ => return Err(invalid(location, format!("unknown option `{pair}`"))),
            }
        }
        let cache = HttpBytecodeCache::builder()
            .url(url)
            .layout(layout)
            .ignore_errors(false)
            .build()?;
        std::sync::Arc::try_unwrap(cache.inner)
            .map_err(|_| invalid(location, "the store is shared"))
    }

    /// The members of the directory at `target` (its own entry left out).
    fn propfind(&self, target: &str) -> Result<Vec<Member>> {
        let headers = [("Depth", "1"), ("Content-Type", "application/xml")];
        let response = self
            .request(
                "PROPFIND",
                target,
                &headers,
                PROPFIND_BODY.as_bytes(),
                MAX_LISTING,
                None,
            )
            .map_err(|failure| self.error("propfind", target, failure))?;
        match response.status {
            207 => {}
            404 => return Ok(Vec::new()),
            405 | 501 => {
                return Err(self.error(
                    "propfind",
                    target,
                    BadReply(format!(
                        "the server does not offer WebDAV PROPFIND (HTTP {}), which listing a \
                         cache needs; with nginx, load the dav-ext module \
                         (`dav_ext_methods PROPFIND OPTIONS;`)",
                        response.status
                    )),
                ));
            }
            _ => return Err(self.status_error("propfind", target, &response)),
        }
        let members = parse_multistatus(&response.body)
            .map_err(|reason| self.error("propfind", target, BadReply(reason)))?;
        let own = decode_percent(target).unwrap_or_default();
        Ok(members
            .into_iter()
            .filter(|member| {
                let path = decode_percent(&member.href).unwrap_or_default();
                path.trim_end_matches('/') != own.trim_end_matches('/')
            })
            .collect())
    }

    /// Lists `target` and, `depth` levels down, its directories: those of one level up to
    /// `workers` at once (`subdirs` has 256), their objects appended in the order the server
    /// listed the directories.
    fn walk(
        &self,
        target: &str,
        depth: usize,
        workers: usize,
        found: &mut Vec<Listed>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<()> {
        let base = decode_percent(&self.base).unwrap_or_default();
        let mut dirs = Vec::new();
        for member in self.propfind(target)? {
            let Some(path) = decode_percent(&member.href) else {
                continue;
            };
            let Some(name) = path.strip_prefix(&base) else {
                continue;
            };
            if member.collection {
                if depth > 0 {
                    dirs.push(format!(
                        "{}{}/",
                        self.base,
                        encode_path(name.trim_end_matches('/'))
                    ));
                }
                continue;
            }
            found.push(Listed {
                name: name.to_owned(),
                size: member.size,
                modified: member
                    .modified
                    .as_deref()
                    .and_then(|date| httpdate::parse_http_date(date).ok()),
            });
            if (found.len() as u64).is_multiple_of(100) {
                progress(found.len() as u64);
            }
        }
        let list_dir = |dir: &String| {
            let mut below = Vec::new();
            self.walk(dir, depth - 1, 1, &mut below, &mut |_| {})
                .map(|()| below)
        };
        let mut first_error = None;
        in_order(
            &dirs,
            workers,
            &list_dir,
            &|listed| listed.is_err(),
            &mut |_, listed| match listed {
                Ok(below) => {
                    let hundreds = found.len() / 100;
                    found.extend(below);
                    if found.len() / 100 > hundreds {
                        progress(found.len() as u64);
                    }
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            },
        );
        first_error.map_or(Ok(()), Err)
    }
}

/// The responses of a WebDAV multi-status body, by local element names (any namespace prefix).
fn parse_multistatus(body: &[u8]) -> std::result::Result<Vec<Member>, String> {
    let mut reader = Reader::from_reader(body);
    let mut members = Vec::new();
    let mut member = None::<Member>;
    let mut path: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|error| format!("a PROPFIND reply that is not XML: {error}"))?;
        match event {
            Event::Start(start) => {
                let name = start.local_name().as_ref().to_owned();
                if name == "response" {
                    member = Some(Member::default());
                }
                if name == "collection"
                    && let Some(member) = member.as_mut()
                {
                    member.collection = true;
                }
                path.push(name);
                if path.len() > 16 {
                    return Err("a PROPFIND reply nested over 16 deep".to_owned());
                }
            }
            Event::Empty(empty) => {
                if empty.local_name().as_ref() == "collection"
                    && let Some(member) = member.as_mut()
                {
                    member.collection = true;
                }
            }
            Event::Text(text) => {
                let Some(member) = member.as_mut() else {
                    buf.clear();
                    continue;
                };
                let text = text.into_inner();
                match path.last().map(String::as_str) {
                    Some("href") => member.href.push_str(text.trim()),
                    Some("getcontentlength") => member.size = text.trim().parse().unwrap_or(0),
                    Some("getlastmodified") => member.modified = Some(text.trim().to_owned()),
                    _ => {}
                }
            }
            Event::End(end) => {
                path.pop();
                if end.local_name().as_ref() == "response"
                    && let Some(done) = member.take()
                {
                    members.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    // An absolute URL as href: keep its path.
    for member in &mut members {
        if let Some(rest) = member.href.split_once("://").map(|(_, rest)| rest) {
            member.href = rest.find('/').map_or("/", |at| &rest[at..]).to_owned();
        }
        if member.href.ends_with('/') {
            member.collection = true;
        }
    }
    Ok(members)
}

impl ObjectStore for HttpStore {
    fn location(&self) -> String {
        self.url.clone()
    }

    fn naming(&self) -> String {
        self.layout.name().to_owned()
    }

    fn list(&self, workers: usize, progress: &mut dyn FnMut(u64)) -> Result<Vec<Listed>> {
        let mut found = Vec::new();
        self.walk(
            &self.base,
            self.layout.depth(),
            workers,
            &mut found,
            progress,
        )?;
        Ok(found)
    }

    fn looks_like_entry(&self, name: &str) -> bool {
        match self.layout {
            HttpLayout::Flat => is_hex(name, 40),
            HttpLayout::Subdirs => name
                .split_once('/')
                .is_some_and(|(dir, rest)| is_hex(dir, 2) && is_hex(rest, 38)),
            HttpLayout::Bazel => name
                .strip_prefix("ac/")
                .is_some_and(|rest| is_hex(rest, 64)),
        }
    }

    fn owns(&self, name: &str, key: &str) -> bool {
        decode_percent(&self.layout.relative_path(key)).is_some_and(|path| path == name)
    }

    fn fetch(&self, name: &str, first: Option<usize>) -> Result<Option<Vec<u8>>> {
        let target = format!("{}{}", self.base, encode_path(name));
        let range = first.map(|n| format!("bytes=0-{}", n.saturating_sub(1)));
        let headers: Vec<(&str, &str)> = range.iter().map(|r| ("Range", r.as_str())).collect();
        let response = self
            .request("GET", &target, &headers, &[], self.max_entry_size, None)
            .map_err(|failure| self.error("get", &target, failure))?;
        match response.status {
            200 | 206 => Ok(Some(response.body)),
            404 | 410 => Ok(None),
            _ => Err(self.status_error("get", &target, &response)),
        }
    }

    fn delete(&self, name: &str) -> Result<()> {
        let target = format!("{}{}", self.base, encode_path(name));
        let response = self
            .request("DELETE", &target, &[], &[], ERROR_BODY, None)
            .map_err(|failure| self.error("delete", &target, failure))?;
        match response.status {
            200..=299 | 404 | 410 => Ok(()),
            _ => Err(self.status_error("delete", &target, &response)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multistatus_replies_are_read_under_any_prefix() -> std::result::Result<(), String> {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
<D:multistatus xmlns:D="DAV:">
<D:response><D:href>/c/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop></D:propstat></D:response>
<D:response><D:href>/c/ab</D:href><D:propstat><D:prop><D:getcontentlength>12</D:getcontentlength>
<D:getlastmodified>Sun, 06 Dec 2026 14:03:05 GMT</D:getlastmodified><D:resourcetype/></D:prop></D:propstat></D:response>
<d:response xmlns:d="DAV:"><d:href>http://h:1/c/0a/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>
</D:multistatus>"#;
        let members = parse_multistatus(body)?;
        assert_eq!(members.len(), 3);
        assert!(members[0].collection && !members[1].collection && members[2].collection);
        assert_eq!((members[1].href.as_str(), members[1].size), ("/c/ab", 12));
        assert_eq!(members[2].href, "/c/0a/");
        assert!(members[1].modified.is_some());
        assert!(parse_multistatus(b"<a><b></a>").is_err());
        Ok(())
    }
}
