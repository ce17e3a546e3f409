//! What the object stores (HTTP, S3) share besides their protocol: batch loads as bounded
//! parallel requests, the once-a-day recency refresh that remote pruning relies on, the dates
//! servers send, and the async API through the blocking pool.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::bucket::Bucket;
use crate::error::Result;
use crate::net::http1::{Response, TakeBody};
use crate::net::shell::Shell;
use crate::stats::Verdict;

/// Requests in flight at once to one object store: a batch load, and remote upkeep by default
/// (no more than the connections a store keeps to one server).
pub(crate) const PARALLEL_REQUESTS: usize = 8;

/// The settings both object stores' builders share, set by [`object_setters!`].
pub(crate) struct ObjectSettings {
    pub(crate) timeouts: crate::net::url::Timeouts,
    pub(crate) ignore_errors: bool,
    pub(crate) checksum: crate::Checksum,
    pub(crate) max_entry_size: u64,
    pub(crate) refresh_after: Duration,
    pub(crate) ca_file: Option<std::path::PathBuf>,
}

impl ObjectSettings {
    /// The defaults: errors ignored, Jinja2's sha1, the default entry limit and refresh age.
    pub(crate) fn new(connect: Duration, io: Duration) -> Self {
        ObjectSettings {
            timeouts: crate::net::url::Timeouts { connect, io },
            ignore_errors: true,
            checksum: crate::Checksum::Sha1,
            max_entry_size: crate::DEFAULT_MAX_ENTRY_SIZE,
            refresh_after: REFRESH_AFTER,
            ca_file: None,
        }
    }

    /// The server of `url`, with these timeouts and trust.
    pub(crate) fn server(&self, url: &url::Url) -> Result<crate::net::http_client::HttpServer> {
        crate::net::http_client::HttpServer::new(url, self.timeouts, self.ca_file.as_deref())
    }

    /// The entry limit as a length in memory.
    pub(crate) fn max_body(&self) -> usize {
        usize::try_from(self.max_entry_size).unwrap_or(usize::MAX)
    }
}

/// A hit refreshes its entry's recency (its `Last-Modified`) when the entry is older than this:
/// at most once a day, so hits cost no write, and a prune by age keeps what is used.
pub(crate) const REFRESH_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Loads `buckets` with `load`, up to [`PARALLEL_REQUESTS`] at once (scoped threads, each
/// taking a contiguous share). Every bucket is tried; the first error comes back after.
pub(crate) fn load_parallel(
    buckets: &mut [Bucket<'_>],
    load: &(dyn Fn(&mut Bucket<'_>) -> Result<()> + Sync),
) -> Result<()> {
    if buckets.len() <= 1 {
        return buckets.iter_mut().try_for_each(load);
    }
    let share = buckets.len().div_ceil(PARALLEL_REQUESTS);
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let workers: Vec<_> = buckets
            .chunks_mut(share)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut first = Ok(());
                    for bucket in chunk {
                        if let (Err(error), Ok(())) = (load(bucket), &first) {
                            first = Err(error);
                        }
                    }
                    first
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| match worker.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.into_iter().collect()
}

/// The verdict on an entry decoded where it lay in a response, and its length.
pub(crate) type Decoded = Option<(Verdict, usize)>;

/// A `GET` of an entry sent by `send` with the taker it is given: a 200 response's
/// `Content-Length` body is decoded into `bucket` where it lies in the received bytes, once the
/// response is whole (a hit copies its code once, and a failed response leaves the bucket as it
/// was). The response, its body empty when decoded, and the verdict on a decoded body.
pub(crate) fn get_entry<E>(
    bucket: &mut Bucket<'_>,
    send: impl FnOnce(TakeBody<'_, '_>) -> std::result::Result<Response, E>,
) -> std::result::Result<(Response, Decoded), E> {
    let mut decoded = None;
    let mut take = |body: &[u8]| decoded = Some((bucket.decode_slice(body), body.len()));
    let response = send(Some(&mut take))?;
    Ok((response, decoded))
}

/// Counts what a 200 response to an entry's `GET` held, decoding its body into `bucket` unless
/// [`get_entry`] decoded it already (a chunked body).
pub(crate) fn loaded_entry(
    shell: &Shell,
    bucket: &mut Bucket<'_>,
    body: Vec<u8>,
    decoded: Decoded,
) {
    match decoded {
        Some((verdict, len)) => shell.counters.loaded(verdict, len as u64),
        None => shell.loaded(bucket, Some(body)),
    }
}

/// Whether `text` is `len` hex digits: the form of a key in an entry's name.
pub(crate) fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether an entry last modified at `last_modified` (an HTTP date) is due for a refresh:
/// older than `after`.
pub(crate) fn due_for_refresh(last_modified: Option<&str>, after: Duration) -> bool {
    last_modified
        .and_then(|date| httpdate::parse_http_date(date).ok())
        .and_then(|modified| SystemTime::now().duration_since(modified).ok())
        .is_some_and(|age| age > after)
}

/// An ISO 8601 UTC time as S3 lists it (`2026-12-06T14:03:05.000Z`), to the second.
pub(crate) fn parse_iso8601(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if text.get(4..5)? != "-" || text.get(10..11)? != "T" || !text.ends_with('Z') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(60);
    u64::try_from(secs)
        .ok()
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The builder setters both object stores share, with their docs: `timeout`, `ignore_errors`,
/// `checksum` and `max_entry_size`, on a builder with those fields (`timeouts` a
/// [`Timeouts`](crate::net::url::Timeouts)) and a `DEFAULT_CONNECT_TIMEOUT` in scope.
/// `$builder` is the doc examples' builder expression, `$error` the error a failure returns.
macro_rules! object_setters {
    ($store:ident, $builder:literal, timeout: $timeout_doc:literal, error: $error:literal) => {
        #[doc = $timeout_doc]
        ///
        /// ```
        /// use std::time::Duration;
        ///
        #[doc = concat!("let cache = ", $builder)]
        ///     .timeout(Duration::from_millis(300))
        ///     .build()?;
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.object.timeouts = $crate::net::url::Timeouts {
                connect: DEFAULT_CONNECT_TIMEOUT.min(timeout),
                io: timeout,
            };
            self
        }

        /// Whether a failed request is a miss (load) or dropped (store) rather than returned
        #[doc = concat!("as [`", $error, "`](crate::", $error, "). Default `true`.")]
        ///
        /// ```
        #[doc = concat!("let cache = ", $builder, ".ignore_errors(false).build()?;")]
        /// assert!(!cache.ignore_errors());
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn ignore_errors(mut self, ignore: bool) -> Self {
            self.object.ignore_errors = ignore;
            self
        }

        /// The algorithm that sums sources (default [`Checksum::Sha1`](crate::Checksum::Sha1),
        /// Jinja2's).
        ///
        /// ```
        /// use bccache::Checksum;
        ///
        #[doc = concat!("let cache = ", $builder, ".checksum(Checksum::Xxh3_128).build()?;")]
        /// assert_eq!(cache.checksum_algorithm(), Checksum::Xxh3_128);
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn checksum(mut self, checksum: $crate::Checksum) -> Self {
            self.object.checksum = checksum;
            self
        }

        /// The largest entry read, in bytes (default
        /// [`DEFAULT_MAX_ENTRY_SIZE`](crate::DEFAULT_MAX_ENTRY_SIZE)): a longer response is an
        /// error (a miss while errors are ignored), refused before its body is read.
        ///
        /// ```
        #[doc = concat!("let cache = ", $builder, ".max_entry_size(64 << 20).build()?;")]
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn max_entry_size(mut self, bytes: u64) -> Self {
            self.object.max_entry_size = bytes;
            self
        }

        /// A hit on an entry last modified longer ago than this writes it again, so that remote
        /// pruning sees it in use (default a day: hits cost no write the rest of the time).
        ///
        /// ```
        /// use std::time::Duration;
        ///
        #[doc = concat!("let cache = ", $builder)]
        ///     .refresh_after(Duration::from_secs(7 * 24 * 3600))
        ///     .build()?;
        /// # Ok::<(), bccache::Error>(())
        /// ```
        pub fn refresh_after(mut self, age: std::time::Duration) -> Self {
            self.object.refresh_after = age;
            self
        }

        /// Trusts only the CA certificates of this PEM file for an `https://` server (a
        /// private CA), instead of the platform's roots (or those `SSL_CERT_FILE` and
        /// `SSL_CERT_DIR` name). `build` reads it; a file with no certificate is an
        /// [`Error::InvalidSetting`](crate::Error::InvalidSetting).
        ///
        /// ```no_run
        #[doc = concat!("let cache = ", $builder, ".ca_file(\"/etc/cache-ca.pem\").build()?;")]
        /// # Ok::<(), bccache::Error>(())
        /// ```
        #[cfg(feature = "https")]
        pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
            self.object.ca_file = Some(path.into());
            self
        }
    };
}

pub(crate) use object_setters;

/// The trait methods both object stores answer the same way, inside their `impl
/// BytecodeCache`: batches in parallel, the configured checksum, the shell's counters.
macro_rules! object_store_methods {
    () => {
        fn load_bytecodes(&self, buckets: &mut [$crate::Bucket<'_>]) -> $crate::Result<()> {
            $crate::net::object::load_parallel(buckets, &|bucket| self.load_bytecode(bucket))
        }

        fn get_source_checksum_bytes(&self, source: &[u8]) -> String {
            self.shell.checksum.of(source)
        }

        fn stats(&self) -> Option<$crate::CacheStats> {
            Some(self.shell.counters.snapshot())
        }
    };
}

pub(crate) use object_store_methods;

/// The public store around its `Arc`ed body (field `inner`): the sync trait forwarded to the
/// body, and the async one through the blocking pool.
macro_rules! public_object_store {
    ($store:ty, $body:ty) => {
        impl $crate::cache::Wrapper for $store {
            type Inner = $body;

            fn wrapped(&self) -> &$body {
                &self.inner
            }
        }

        impl $crate::BytecodeCache for $store {
            $crate::cache::forward_bytecode_cache!(every);
        }

        /// The async trait through tokio's blocking pool, so a slow server never stalls a
        /// runtime thread.
        #[cfg(feature = "tokio")]
        impl $crate::async_cache::blocking::OnPool for $store {
            type Handle = std::sync::Arc<$body>;

            fn handle(&self) -> &Self::Handle {
                &self.inner
            }
        }

        #[cfg(feature = "tokio")]
        $crate::async_cache::blocking::async_on_pool!(impl[] for $store);
    };
}

pub(crate) use public_object_store;

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200 response to a `GET` of `entry` whose body `send` gives the taker.
    fn sent(entry: &[u8], bucket: &mut Bucket<'_>) -> (Response, Decoded) {
        let send = |take_body: TakeBody<'_, '_>| {
            if let Some(take) = take_body {
                take(entry);
            }
            Ok::<_, ()>(Response {
                status: 200,
                ..Response::default()
            })
        };
        get_entry(bucket, send).expect("sent")
    }

    #[test]
    fn an_entry_decoded_where_it_lay_encodes_again_to_the_bytes_read() {
        let mut stored = Bucket::new(&(), "key", "checksum");
        stored.code = Some(vec![5u8; 64 * 1024]);
        let entry = stored.bytecode_to_string().expect("encode");
        let mut bucket = Bucket::new(&(), "key", "checksum");
        let (response, decoded) = sent(&entry, &mut bucket);
        assert_eq!(decoded, Some((Verdict::Hit, entry.len())));
        assert!(response.body.is_empty());
        assert_eq!(bucket.code, stored.code);
        // What the recency refresh writes back.
        assert_eq!(bucket.bytecode_to_string().expect("encode"), entry);
    }

    #[test]
    fn a_foreign_or_truncated_body_is_decoded_as_a_miss() {
        let mut stored = Bucket::new(&(), "key", "checksum");
        stored.code = Some(b"code".to_vec());
        let entry = stored.bytecode_to_string().expect("encode");
        for (body, checksum) in [
            (&entry[..], "other"),
            (&entry[..entry.len() - 1], "checksum"),
        ] {
            let mut bucket = Bucket::new(&(), "key", checksum);
            let (_, decoded) = sent(body, &mut bucket);
            assert!(matches!(decoded, Some((verdict, _)) if verdict != Verdict::Hit));
            assert_eq!(bucket.code, None);
        }
    }

    #[test]
    fn iso_times_are_read_to_the_second() {
        let at = |text| {
            parse_iso8601(text).and_then(|t| t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs()))
        };
        assert_eq!(at("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(at("2000-03-01T00:00:01Z"), Some(951_868_801));
        assert_eq!(at("2026-12-06T14:03:05.000Z"), Some(1_796_565_785));
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-12-06 14:03:05Z",
            "2026-12-06T14:03:05",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_entries_older_than_a_day_are_refreshed() {
        let date = |ago: u64| httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(ago));
        assert!(!due_for_refresh(Some(&date(3600)), REFRESH_AFTER));
        assert!(due_for_refresh(Some(&date(25 * 3600)), REFRESH_AFTER));
        assert!(!due_for_refresh(None, REFRESH_AFTER));
        assert!(!due_for_refresh(Some("not a date"), REFRESH_AFTER));
    }
}
