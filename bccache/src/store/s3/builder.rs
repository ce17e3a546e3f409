//! [`S3BytecodeCacheBuilder`]: every setting of an [`S3BytecodeCache`], checked at `build`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::sign::Signer;
use super::store::{S3BytecodeCache, S3Store};
use crate::cache::DEFAULT_PREFIX;
use crate::error::{Error, Result};
use crate::net::object::{ObjectSettings, object_setters};
use crate::net::shell::Settings;
use crate::net::url::invalid;

/// How long connecting may take unless set.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a whole response may take unless set.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How AWS's own endpoint is reached when no endpoint is set: TLS when it is built in.
const DEFAULT_SCHEME: &str = if cfg!(feature = "https") {
    "https"
} else {
    "http"
};
/// The region when neither the builder nor `AWS_REGION` names one.
const DEFAULT_REGION: &str = "us-east-1";

enum Credentials {
    Explicit {
        access_key: String,
        secret_key: String,
        session_token: Option<String>,
    },
    FromEnv,
    Anonymous,
}

/// Builds an [`S3BytecodeCache`]; every check happens in
/// [`build`](S3BytecodeCacheBuilder::build), which contacts no server.
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct S3BytecodeCacheBuilder {
    bucket: Option<String>,
    prefix: String,
    endpoint: Option<String>,
    region: Option<String>,
    credentials: Credentials,
    object: ObjectSettings,
}

impl fmt::Debug for S3BytecodeCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3BytecodeCacheBuilder")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl S3BytecodeCacheBuilder {
    pub(super) fn new() -> Self {
        S3BytecodeCacheBuilder {
            bucket: None,
            prefix: DEFAULT_PREFIX.to_owned(),
            endpoint: None,
            region: None,
            credentials: Credentials::FromEnv,
            object: ObjectSettings::new(DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT),
        }
    }

    /// The bucket (required).
    ///
    /// ```
    /// let cache = bccache::S3BytecodeCache::builder().bucket("templates").anonymous().build()?;
    /// assert_eq!(cache.bucket(), "templates");
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// The prefix of every object key (default [`DEFAULT_PREFIX`]); `clear` and upkeep stay
    /// inside it.
    ///
    /// ```
    /// let cache = bccache::S3BytecodeCache::builder()
    ///     .bucket("templates")
    ///     .prefix("app/v2/")
    ///     .anonymous()
    ///     .build()?;
    /// assert_eq!(cache.location(), "s3://templates/app/v2/");
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The server, e.g. `http://127.0.0.1:9000` (default: `AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL` from the environment, else `https://s3.<region>.amazonaws.com`, or
    /// `http://` without the `https` feature).
    /// Objects are addressed path-style, `/{bucket}/{key}`.
    ///
    /// ```
    /// let cache = bccache::S3BytecodeCache::builder()
    ///     .bucket("templates")
    ///     .endpoint("http://minio.internal:9000")
    ///     .anonymous()
    ///     .build()?;
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The region requests are signed for (default `AWS_REGION`, `AWS_DEFAULT_REGION`, else
    /// `us-east-1`).
    ///
    /// ```
    /// let cache = bccache::S3BytecodeCache::builder()
    ///     .bucket("templates")
    ///     .region("eu-west-1")
    ///     .anonymous()
    ///     .build()?;
    /// assert_eq!(cache.region(), "eu-west-1");
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Signs requests with this access key and secret key.
    ///
    /// ```
    /// let cache = bccache::S3BytecodeCache::builder()
    ///     .bucket("templates")
    ///     .credentials("AKIDEXAMPLE", "secret")
    ///     .build()?;
    /// assert!(!format!("{cache:?}").contains("secret"));
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn credentials(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.credentials = Credentials::Explicit {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            session_token: None,
        };
        self
    }

    /// Signs requests with the credentials of the environment (the default):
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (when set), read
    /// by `build`. Missing keys are an error from `build`.
    ///
    /// ```no_run
    /// let cache = bccache::S3BytecodeCache::builder().bucket("templates").from_env().build()?;
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn from_env(mut self) -> Self {
        self.credentials = Credentials::FromEnv;
        self
    }

    /// Sends requests unsigned, for a public bucket: the cache only reads (dumps and `clear`
    /// do nothing).
    ///
    /// ```
    /// let cache = bccache::S3BytecodeCache::builder().bucket("public").anonymous().build()?;
    /// assert!(cache.is_anonymous());
    /// # Ok::<(), bccache::Error>(())
    /// ```
    pub fn anonymous(mut self) -> Self {
        self.credentials = Credentials::Anonymous;
        self
    }

    object_setters!(
        S3BytecodeCache,
        "bccache::S3BytecodeCache::builder().bucket(\"bbb\").anonymous()",
        timeout: "How long a whole response may take (default 30 s); connecting takes at most a second, or this when it is shorter.",
        error: "Error::S3"
    );

    /// Checks everything and builds the cache, without contacting the server.
    ///
    /// Errors: [`Error::InvalidSetting`] (no bucket or one S3 cannot name, credentials missing
    /// from the environment, a `ca_file` with no certificate), [`Error::InvalidServer`] (an
    /// endpoint that is not `http://` or, with the `https` feature, `https://`),
    /// [`Error::InvalidPrefix`] (a prefix over 900 bytes or with control characters).
    ///
    /// ```
    /// let error = bccache::S3BytecodeCache::builder().anonymous().build().unwrap_err();
    /// assert!(matches!(error, bccache::Error::InvalidSetting { setting: "bucket", .. }));
    /// ```
    pub fn build(self) -> Result<S3BytecodeCache> {
        let setting = |setting, value: &str, reason: &str| Error::InvalidSetting {
            setting,
            value: value.to_owned(),
            reason: reason.to_owned(),
        };
        let bucket = self.bucket.unwrap_or_default();
        let valid = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b);
        if !(3..=63).contains(&bucket.len()) || !bucket.bytes().all(valid) {
            return Err(setting(
                "bucket",
                &bucket,
                "a bucket name is 3 to 63 lowercase letters, digits, `-` and `.`",
            ));
        }
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let region = self
            .region
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let endpoint = self
            .endpoint
            .or_else(|| env("AWS_ENDPOINT_URL_S3"))
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| format!("{DEFAULT_SCHEME}://s3.{region}.amazonaws.com"));
        let url = Url::parse(&endpoint).map_err(|e| invalid(&endpoint, e.to_string()))?;
        if url.path() != "/" || url.query().is_some() {
            return Err(invalid(
                &endpoint,
                "an endpoint is `http(s)://host[:port]`, no path",
            ));
        }
        let server = self.object.server(&url)?;
        let signer = match self.credentials {
            Credentials::Anonymous => None,
            Credentials::Explicit {
                access_key,
                secret_key,
                session_token,
            } => Some(Signer::new(
                access_key,
                secret_key,
                session_token,
                region.clone(),
            )),
            Credentials::FromEnv => {
                let missing = |name| {
                    setting(
                        "credentials",
                        name,
                        "is not set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use \
                         `.credentials(..)` or `.anonymous()`",
                    )
                };
                let access_key =
                    env("AWS_ACCESS_KEY_ID").ok_or_else(|| missing("AWS_ACCESS_KEY_ID"))?;
                let secret_key =
                    env("AWS_SECRET_ACCESS_KEY").ok_or_else(|| missing("AWS_SECRET_ACCESS_KEY"))?;
                Some(Signer::new(
                    access_key,
                    secret_key,
                    env("AWS_SESSION_TOKEN"),
                    region.clone(),
                ))
            }
        };
        let rules = crate::net::shell::Rules {
            max_prefix_len: 900,
            prefix_too_long: "an S3 key is at most 1024 bytes; a prefix leaves room for the key",
            no_spaces: None,
            zero_timeout: "",
            max_timeout: None,
        };
        let shell = Settings {
            prefix: self.prefix,
            ignore_errors: self.object.ignore_errors,
            checksum: self.object.checksum,
            ..Settings::default()
        }
        .check(&rules, vec![server.name.clone()])?;
        Ok(S3BytecodeCache {
            inner: Arc::new(S3Store {
                server,
                bucket,
                signer,
                region,
                max_entry_size: self.object.max_body(),
                refresh_after: self.object.refresh_after,
                shell,
            }),
        })
    }
}

/// The builder of an `s3://bucket/prefix?endpoint=..&region=..&timeout=..` location (the
/// derive's `s3` key and the upkeep's locations), credentials from the environment.
pub(crate) fn from_location(location: &str) -> Result<S3BytecodeCacheBuilder> {
    let url = Url::parse(location).map_err(|e| invalid(location, e.to_string()))?;
    if url.scheme() != "s3" {
        return Err(invalid(location, "an S3 location starts with `s3://`"));
    }
    let bucket = url.host_str().unwrap_or_default().to_owned();
    let prefix = crate::net::http1::decode_percent(url.path().trim_start_matches('/'))
        .ok_or_else(|| invalid(location, "the prefix is not UTF-8"))?;
    let mut builder = S3BytecodeCacheBuilder::new().bucket(bucket).prefix(prefix);
    for (key, value) in url.query_pairs() {
        builder = match &*key {
            "endpoint" => builder.endpoint(value.into_owned()),
            "region" => builder.region(value.into_owned()),
            "anonymous" if value == "true" => builder.anonymous(),
            "timeout" => {
                let secs = value
                    .parse::<f64>()
                    .ok()
                    .filter(|secs| (0.001..1e9).contains(secs))
                    .ok_or_else(|| {
                        invalid(location, "`timeout` is a positive number of seconds")
                    })?;
                builder.timeout(Duration::from_secs_f64(secs))
            }
            _ => return Err(invalid(location, format!("unknown option `{key}`"))),
        };
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_name_bucket_prefix_endpoint_and_region() -> Result<()> {
        let cache = from_location(
            "s3://my-bucket/app/v1/?endpoint=http://127.0.0.1:9000&region=eu-west-1",
        )?
        .anonymous()
        .build()?;
        assert_eq!(cache.location(), "s3://my-bucket/app/v1/");
        assert_eq!(cache.region(), "eu-west-1");
        let https_without_tls = if cfg!(feature = "https") {
            "s3://b/?endpoint=ftp://h"
        } else {
            "s3://b/?endpoint=https://h"
        };
        for bad in [
            https_without_tls,
            "s3://UPPER/",
            "s3://b/?colour=red",
            "http://b/",
        ] {
            assert!(
                from_location(bad)
                    .and_then(|b| b.anonymous().build())
                    .is_err(),
                "{bad}"
            );
        }
        Ok(())
    }
}
