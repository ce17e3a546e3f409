//! What every server URL says the same way: its timeouts (`?connect_timeout=`, `?timeout=`,
//! in seconds) and its name in errors and logs, with the password masked.

use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

/// How long a server may take to accept a connection, unless its URL's `?connect_timeout=` says.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(250);
/// How long a request may wait on a server's socket, unless its URL's `?timeout=` says.
pub(crate) const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(1);

/// A server's timeouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub(crate) connect: Duration,
    pub(crate) io: Duration,
}

impl Timeouts {
    /// The timeouts `url` sets, the defaults for those it leaves out. `name` names the server in
    /// the error for a value that is not a positive number of seconds.
    pub(crate) fn of(url: &Url, name: &str) -> Result<Self> {
        let seconds = |key: &str| -> Result<Option<Duration>> {
            query(url, key)
                .map(|value| {
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|secs| (0.001..1e9).contains(secs))
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            invalid(
                                name,
                                format!("`{key}={value}` is not a positive number of seconds"),
                            )
                        })
                })
                .transpose()
        };
        Ok(Timeouts {
            connect: seconds("connect_timeout")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            io: seconds("timeout")?.unwrap_or(DEFAULT_IO_TIMEOUT),
        })
    }
}

/// The value of the query option `key`, the first when it is repeated.
pub(crate) fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, value)| value.into_owned())
}

/// The URL with its password masked, to name a server in errors and logs.
pub(crate) fn masked(url: &Url) -> String {
    if url.password().is_some() {
        let mut url = url.clone();
        if url.set_password(Some("***")).is_ok() {
            return url.to_string();
        }
    }
    url.to_string()
}

/// The error for a server URL `name` refused for `reason`.
pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> Error {
    Error::InvalidServer {
        url: name.to_owned(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeouts(url: &str) -> Result<Timeouts> {
        let parsed = Url::parse(url).map_err(|e| invalid(url, e.to_string()))?;
        Timeouts::of(&parsed, url)
    }

    #[test]
    fn url_timeouts_win_over_the_defaults() -> Result<()> {
        assert_eq!(
            timeouts("x://h")?,
            Timeouts {
                connect: DEFAULT_CONNECT_TIMEOUT,
                io: DEFAULT_IO_TIMEOUT
            }
        );
        let set = timeouts("x://h?timeout=0.2&connect_timeout=0.1")?;
        assert_eq!(set.io, Duration::from_millis(200));
        assert_eq!(set.connect, Duration::from_millis(100));
        Ok(())
    }

    #[test]
    fn timeouts_that_are_not_positive_seconds_are_refused_naming_them() {
        for url in [
            "x://h?timeout=0",
            "x://h?timeout=abc",
            "x://h?connect_timeout=-1",
        ] {
            match timeouts(url) {
                Err(Error::InvalidServer { reason, .. }) => assert!(reason.contains("timeout")),
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_are_masked() -> Result<()> {
        let url = Url::parse("x://user:secret@h:1").map_err(|e| invalid("", e.to_string()))?;
        assert_eq!(masked(&url), "x://user:***@h:1");
        Ok(())
    }
}
