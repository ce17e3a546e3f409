//! The common shell of a network store: its prefix, expiry, error policy, checksum, server
//! names and counters, the builder settings that fill them, and the checks `build` makes.

use crate::bucket::Bucket;
use crate::cache::DEFAULT_PREFIX;
use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::stats::{Counters, Verdict};

/// The settings every network store's builder takes, before they are checked.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) servers: Vec<String>,
    pub(crate) prefix: String,
    pub(crate) timeout: Option<u32>,
    pub(crate) ignore_errors: bool,
    pub(crate) checksum: Checksum,
}

impl Default for Settings {
    /// Jinja2's: prefix [`DEFAULT_PREFIX`], no expiry, errors ignored, sha1 sums, no server.
    fn default() -> Self {
        Settings {
            servers: Vec::new(),
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: None,
            ignore_errors: true,
            checksum: Checksum::Sha1,
        }
    }
}

/// What a store allows in its prefix and expiry.
pub(crate) struct Rules {
    pub(crate) max_prefix_len: usize,
    /// Why a prefix over `max_prefix_len` is refused.
    pub(crate) prefix_too_long: &'static str,
    /// Why a prefix with white space is refused; `None` allows it.
    pub(crate) no_spaces: Option<&'static str>,
    /// Why an expiry of 0 is refused.
    pub(crate) zero_timeout: &'static str,
    /// The longest expiry, and why a longer one is refused.
    pub(crate) max_timeout: Option<(u32, &'static str)>,
}

impl Settings {
    /// Checks the prefix and the expiry by `rules`, and makes the store's shell, its servers
    /// named by `names`.
    pub(crate) fn check(self, rules: &Rules, names: Vec<String>) -> Result<Shell> {
        let invalid = |reason| Error::InvalidPrefix {
            prefix: self.prefix.clone(),
            reason,
        };
        if self.prefix.len() > rules.max_prefix_len {
            return Err(invalid(rules.prefix_too_long));
        }
        if let Some(reason) = rules.no_spaces
            && self.prefix.chars().any(char::is_whitespace)
        {
            return Err(invalid(reason));
        }
        if self.prefix.chars().any(char::is_control) {
            return Err(invalid("a key prefix cannot hold control characters"));
        }
        if let Some(timeout) = self.timeout {
            let invalid = |reason| Error::InvalidTimeout {
                timeout: u64::from(timeout),
                reason,
            };
            if timeout == 0 {
                return Err(invalid(rules.zero_timeout));
            }
            if let Some((max, reason)) = rules.max_timeout
                && timeout > max
            {
                return Err(invalid(reason));
            }
        }
        Ok(self.shell(names))
    }

    /// The store's shell with these settings as they are: for the defaults, which need no check.
    pub(crate) fn shell(self, names: Vec<String>) -> Shell {
        Shell {
            prefix: self.prefix,
            timeout: self.timeout,
            ignore_errors: self.ignore_errors,
            checksum: self.checksum,
            servers: names,
            counters: Counters::default(),
        }
    }
}

/// What a built network store holds besides its servers.
pub(crate) struct Shell {
    pub(crate) prefix: String,
    pub(crate) timeout: Option<u32>,
    pub(crate) ignore_errors: bool,
    pub(crate) checksum: Checksum,
    /// The server URLs as given, passwords masked.
    pub(crate) servers: Vec<String>,
    pub(crate) counters: Counters,
}

impl Shell {
    /// The server's key of a bucket: the prefix, then the bucket's key.
    pub(crate) fn key(&self, bucket_key: &str) -> String {
        let mut key = String::with_capacity(self.prefix.len() + bucket_key.len());
        key.push_str(&self.prefix);
        key.push_str(bucket_key);
        key
    }

    /// Decodes what a lookup found (`None`: nothing) into `bucket` and counts the verdict.
    pub(crate) fn loaded(&self, bucket: &mut Bucket<'_>, found: Option<Vec<u8>>) {
        match found {
            Some(bytes) => {
                let len = bytes.len() as u64;
                self.counters.loaded(bucket.decode_vec(bytes), len);
            }
            None => self.counters.loaded(Verdict::Missing, 0),
        }
    }

    /// Counts a failed operation and applies the error policy to it.
    #[cfg(any(feature = "redis", feature = "http", feature = "s3"))]
    pub(crate) fn failed(&self, error: Error) -> Result<()> {
        self.counters.failed();
        super::policy::apply(self.ignore_errors, error, false)
    }

    /// Counts a store that wrote `entry_len` bytes, or a failed one, whose error the policy
    /// logs at `warn` when it is ignored (a server refusing entries is worth hearing about).
    #[cfg(any(feature = "http", feature = "s3"))]
    pub(crate) fn stored(&self, entry_len: usize, result: Result<()>) -> Result<()> {
        match result {
            Ok(()) => {
                self.counters.stored(entry_len as u64);
                Ok(())
            }
            Err(error) => {
                self.counters.failed();
                super::policy::apply(self.ignore_errors, error, true)
            }
        }
    }
}

/// The builder setters every network store shares, with their docs: `prefix`, `timeout` and
/// `checksum`, on a builder whose field `settings` is a [`Settings`].
macro_rules! shared_setters {
    ($store:ident, $url:literal, prefix: $prefix_rule:literal, timeout: $timeout_rule:literal) => {
        /// The prefix of every key (default [`DEFAULT_PREFIX`](crate::DEFAULT_PREFIX)):
        #[doc = $prefix_rule]
        ///
        /// ```
        #[doc = concat!("let cache = bccache::", stringify!($store), "::builder()")]
        #[doc = concat!("    .server(\"", $url, "\")")]
        ///     .prefix("app/v2/bytecode/")
        ///     .build()?;
        /// assert_eq!(cache.prefix(), "app/v2/bytecode/");
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
            self.settings.prefix = prefix.into();
            self
        }

        /// Entries expire `secs` seconds after they are stored:
        #[doc = $timeout_rule]
        /// Without it entries live until the server evicts them.
        ///
        /// ```
        #[doc = concat!("let cache = bccache::", stringify!($store), "::builder()")]
        #[doc = concat!("    .server(\"", $url, "\")")]
        ///     .timeout(24 * 3600)
        ///     .build()?;
        /// assert_eq!(cache.timeout(), Some(86_400));
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn timeout(mut self, secs: u32) -> Self {
            self.settings.timeout = Some(secs);
            self
        }

        /// The algorithm that sums sources (default [`Checksum::Sha1`](crate::Checksum::Sha1),
        /// Jinja2's).
        ///
        /// ```
        /// use bccache::Checksum;
        ///
        #[doc = concat!("let cache = bccache::", stringify!($store), "::builder()")]
        #[doc = concat!("    .server(\"", $url, "\")")]
        ///     .checksum(Checksum::Xxh3_128)
        ///     .build()?;
        /// assert_eq!(cache.checksum_algorithm(), Checksum::Xxh3_128);
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn checksum(mut self, checksum: crate::Checksum) -> Self {
            self.settings.checksum = checksum;
            self
        }
    };
}

/// The accessors every network store shares: `prefix`, `timeout`, `servers` and
/// `checksum_algorithm`, on a store whose field `shell` is a [`Shell`].
macro_rules! shared_accessors {
    () => {
        /// The prefix of every key.
        pub fn prefix(&self) -> &str {
            &self.shell.prefix
        }

        /// The expiry sent with every store, in seconds; `None` sends none.
        pub fn timeout(&self) -> Option<u32> {
            self.shell.timeout
        }

        /// The server URLs given to the builder, passwords masked.
        pub fn servers(&self) -> &[String] {
            &self.shell.servers
        }

        /// The algorithm sources are summed with.
        pub fn checksum_algorithm(&self) -> crate::Checksum {
            self.shell.checksum
        }
    };
}

pub(crate) use {shared_accessors, shared_setters};
