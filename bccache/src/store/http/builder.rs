//! [`HttpBytecodeCacheBuilder`]: every setting of an [`HttpBytecodeCache`], checked at `build`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::layout::HttpLayout;
use super::store::{HttpBytecodeCache, HttpStore};
use crate::error::{Error, Result};
use crate::net::object::{ObjectSettings, object_setters};
use crate::net::shell::Settings;
use crate::net::url::{invalid, masked};

/// How long connecting may take unless set.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a whole response may take unless set (ccache's default operation timeout).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds an [`HttpBytecodeCache`]; every check happens in
/// [`build`](HttpBytecodeCacheBuilder::build), which contacts no server.
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct HttpBytecodeCacheBuilder {
    url: Option<String>,
    layout: HttpLayout,
    headers: Vec<(String, String)>,
    bearer_token: Option<String>,
    read_only: bool,
    object: ObjectSettings,
}

impl fmt::Debug for HttpBytecodeCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpBytecodeCacheBuilder")
            .field("url", &self.url)
            .field("layout", &self.layout)
            .field("headers", &self.headers.len())
            .field("read_only", &self.read_only)
            .field("timeouts", &self.object.timeouts)
            .field("ignore_errors", &self.object.ignore_errors)
            .finish_non_exhaustive()
    }
}

impl HttpBytecodeCacheBuilder {
    pub(super) fn new() -> Self {
        HttpBytecodeCacheBuilder {
            url: None,
            layout: HttpLayout::default(),
            headers: Vec::new(),
            bearer_token: None,
            read_only: false,
            object: ObjectSettings::new(DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT),
        }
    }

    /// The URL entries go under, e.g. `http://cache.internal:8080/bytecode/` (a missing final
    /// `/` is added). `http://user:password@host/` sends HTTP Basic credentials.
    ///
    /// ```
    /// let cache = bccache::HttpBytecodeCache::builder().url("http://h/a/b").build()?;
    /// assert_eq!(cache.url(), "http://h/a/b/");
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Where entries lie under the URL (default [`HttpLayout::Subdirs`], as ccache's).
    ///
    /// ```
    /// use bccache::{HttpBytecodeCache, HttpLayout};
    ///
    /// let cache = HttpBytecodeCache::builder().url("http://h/").layout(HttpLayout::Bazel).build()?;
    /// assert_eq!(cache.layout(), HttpLayout::Bazel);
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn layout(mut self, layout: HttpLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    ///
    /// ```
    /// let cache = bccache::HttpBytecodeCache::builder()
    ///     .url("http://h/")
    ///     .bearer_token("s3cr3t")
    ///     .build()?;
    /// assert!(!format!("{cache:?}").contains("s3cr3t"));
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Sends the header `name: value` with every request (repeat for several).
    ///
    /// ```
    /// let cache = bccache::HttpBytecodeCache::builder()
    ///     .url("http://h/")
    ///     .header("X-Team", "templates")
    ///     .build()?;
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Only reads (default `false`): dumps and `clear` do nothing, and no hit refreshes its
    /// entry. For a cache CI seeds and services only read.
    ///
    /// ```
    /// let cache = bccache::HttpBytecodeCache::builder().url("http://h/").read_only(true).build()?;
    /// assert!(cache.is_read_only());
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    object_setters!(
        HttpBytecodeCache,
        "bccache::HttpBytecodeCache::builder().url(\"http://h/\")",
        timeout: "How long a whole response may take (default 10 s); connecting takes at most half a second, or this when it is shorter.",
        error: "Error::Http"
    );

    /// Checks everything and builds the cache, without contacting the server.
    ///
    /// Errors: [`Error::InvalidServer`] (no URL, not `http://` or, with the `https` feature,
    /// `https://`, a query or fragment), [`Error::InvalidSetting`] (a header name or value that
    /// cannot be sent, a `ca_file` with no certificate).
    ///
    /// ```
    /// let error = bccache::HttpBytecodeCache::builder().url("ftp://h/").build().unwrap_err();
    /// assert!(matches!(error, bccache::Error::InvalidServer { .. }));
    /// ```
    pub fn build(self) -> Result<HttpBytecodeCache> {
        let given = self.url.ok_or(Error::NoServer)?;
        let mut url = Url::parse(&given).map_err(|e| invalid(&given, e.to_string()))?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(&given, "a cache URL takes no query or fragment"));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        let server = self.object.server(&url)?;
        let mut headers = Vec::new();
        if !url.username().is_empty() || url.password().is_some() {
            let user = crate::net::http1::decode_percent(url.username()).unwrap_or_default();
            let password = url
                .password()
                .and_then(crate::net::http1::decode_percent)
                .unwrap_or_default();
            headers.push((
                "Authorization".to_owned(),
                format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
            ));
        }
        if let Some(token) = self.bearer_token {
            check_header("Authorization", &token, true)?;
            headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
        }
        for (name, value) in self.headers {
            check_header(&name, &value, false)?;
            headers.push((name, value));
        }
        let shell = Settings {
            prefix: String::new(),
            ignore_errors: self.object.ignore_errors,
            checksum: self.object.checksum,
            ..Settings::default()
        }
        .shell(vec![masked(&url)]);
        Ok(HttpBytecodeCache {
            inner: Arc::new(HttpStore {
                server,
                base: url.path().to_owned(),
                url: masked(&url),
                layout: self.layout,
                headers,
                read_only: self.read_only,
                max_entry_size: self.object.max_body(),
                refresh_after: self.object.refresh_after,
                shell,
            }),
        })
    }
}

/// Refuses a header that would break the request: a name that is not an HTTP token, a value
/// with a line break or another control character, or one this client frames itself.
fn check_header(name: &str, value: &str, secret: bool) -> Result<()> {
    let refuse = |reason: &str| Error::InvalidSetting {
        setting: "header",
        value: if secret {
            format!("{name}: ***")
        } else {
            format!("{name}: {value}")
        },
        reason: reason.to_owned(),
    };
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(refuse("a header name is a token (letters, digits, `-`...)"));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(refuse(
            "a header value cannot hold line breaks or control characters",
        ));
    }
    for framed in ["host", "content-length", "transfer-encoding", "connection"] {
        if name.eq_ignore_ascii_case(framed) {
            return Err(refuse("the client sets this header itself"));
        }
    }
    Ok(())
}

/// Standard base64 with padding, for HTTP Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn bad_settings_are_refused_naming_them() {
        let builder = || HttpBytecodeCache::builder().url("http://127.0.0.1:1/c/");
        for (name, value) in [
            ("X A", "1"),
            ("X-A", "a\r\nb"),
            ("Content-Length", "1"),
            ("", "v"),
        ] {
            match builder().header(name, value).build() {
                Err(Error::InvalidSetting {
                    setting: "header", ..
                }) => {}
                other => panic!("{name:?}: {other:?}"),
            }
        }
        for url in ["ftp://h/", "http://h/?a=1", "not a url"] {
            match HttpBytecodeCache::connect(url) {
                Err(Error::InvalidServer { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
        // Without TLS built in, `https://` is refused with a way out; with it, the URL builds.
        let https = HttpBytecodeCache::connect("https://h/");
        if cfg!(feature = "https") {
            assert_eq!(
                https.map(|cache| cache.url().to_owned()).ok().as_deref(),
                Some("https://h/")
            );
        } else {
            let error = https.map(|_| ()).expect_err("no TLS");
            assert!(error.to_string().contains("`https` feature"), "{error}");
        }
        assert!(matches!(
            HttpBytecodeCache::builder().build(),
            Err(Error::NoServer)
        ));
        match builder().bearer_token("a\nb").build() {
            Err(error) => assert!(!error.to_string().contains("a\nb")),
            Ok(_) => panic!("a token with a line break was accepted"),
        }
    }
}
