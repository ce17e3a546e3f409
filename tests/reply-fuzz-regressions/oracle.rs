//! The properties the reply fuzz targets check, shared by the targets (`fuzz/fuzz_targets/
//! memcached_reply.rs`, `redis_reply.rs`) and the test that replays what they keep
//! (`tests/reply_fuzz_regressions.rs`).

/// memcached: the first byte picks the largest value taken (2^0 to 2^23 bytes), the rest is a
/// reply. The parsers check their own bounds as they go; no value over the largest taken.
/// Returns whether the reply parsed to its `END`.
pub fn memcached(data: &[u8]) -> bool {
    let (max_value, reply) = match data.split_first() {
        Some((&scale, reply)) => (1usize << (scale % 24), reply),
        None => (1024, data),
    };
    let (values, end) = bccache::__fuzz::memcached_reply(reply, max_value);
    assert!(values.iter().all(|(_, len)| *len <= max_value));
    let _ = bccache::__fuzz::memcached_status(reply);
    end == Ok(true)
}

/// Redis: the first byte is the number of keys of an `MGET` (0 to 255), the rest its reply.
/// Values come back only as many as keys, holding no more bytes than the reply. Returns
/// whether the reply was taken as values.
pub fn redis(data: &[u8]) -> bool {
    let (count, reply) = match data.split_first() {
        Some((&count, reply)) => (usize::from(count), reply),
        None => (1, data),
    };
    match bccache::__fuzz::redis_mget_reply(reply, count) {
        Some(values) => {
            assert_eq!(values.len(), count);
            let total: usize = values.iter().flatten().map(Vec::len).sum();
            assert!(total <= reply.len());
            true
        }
        None => false,
    }
}
