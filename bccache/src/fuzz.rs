//! What the fuzz targets (`fuzz/`) and the regression tests reach: the reply parsers of the
//! network stores, over arbitrary bytes. Not part of the API.

/// The keys and lengths of the values a memcached reply held.
#[cfg(feature = "memcached")]
pub type Found = Vec<(Vec<u8>, usize)>;

/// Parses `bytes` as a memcached retrieval reply, with values of at most `max_value` bytes,
/// the way the store's own client does, checking the parser's bounds as it goes. Returns the
/// values' keys and lengths, and `Ok(true)` at `END`, `Ok(false)` when more bytes are needed,
/// or the error's message.
#[cfg(feature = "memcached")]
pub fn memcached_reply(bytes: &[u8], max_value: usize) -> (Found, Result<bool, String>) {
    let (values, end) = crate::store::memcached::protocol::parse_reply(bytes, max_value);
    (values, end.map_err(|error| error.to_string()))
}

/// Parses `bytes` as a memcached storage reply: the status's name, or the error's message.
#[cfg(feature = "memcached")]
pub fn memcached_status(bytes: &[u8]) -> Result<Option<String>, String> {
    match crate::store::memcached::protocol::parse_status(bytes) {
        Ok(crate::net::Parsed::Done(status, taken)) => {
            assert!(taken <= bytes.len());
            Ok(Some(format!("{status:?}")))
        }
        Ok(crate::net::Parsed::Incomplete(need)) => {
            assert!(need > bytes.len());
            Ok(None)
        }
        Err(error) => Err(error.to_string()),
    }
}

/// Parses `bytes` as a Redis reply to an `MGET` of `count` keys, the way the store reads one
/// (the crate's own RESP parser, values of at most 512 MiB, at most `count` items): the values
/// found, or `None` for a reply that is not `count` values.
#[cfg(feature = "redis")]
pub fn redis_mget_reply(bytes: &[u8], count: usize) -> Option<Vec<Option<Vec<u8>>>> {
    crate::store::redis::resp::parse_mget(bytes, count, 512 * 1024 * 1024)
}
