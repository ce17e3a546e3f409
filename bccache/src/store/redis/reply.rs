//! What an `MGET` reply holds: a value, or none, for each key asked.

use redis::Value;

/// The values of an `MGET`, in the order of its keys; `None` for a key with no value.
pub(super) type Values = Vec<Option<Vec<u8>>>;

/// The values of an `MGET` reply of `count` keys; a value that is not bytes (another type
/// under the key) is no entry.
pub(super) fn values_of(reply: Value, count: usize) -> Option<Values> {
    let Value::Array(items) = reply else {
        return None;
    };
    if items.len() != count {
        return None;
    }
    Some(
        items
            .into_iter()
            .map(|item| match item {
                Value::BulkString(bytes) => Some(bytes),
                _ => None,
            })
            .collect(),
    )
}

/// The values of an `MGET` of `count` keys whose reply is `bytes`, parsed by the `redis` crate
/// as a connection parses it; `None` for bytes that are not such a reply.
pub(crate) fn mget_values(bytes: &[u8], count: usize) -> Option<Values> {
    let reply = redis::parse_redis_value(bytes).ok()?;
    values_of(reply, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_array_of_as_many_values_as_keys_is_an_mget_reply() {
        assert_eq!(
            mget_values(b"*2\r\n$3\r\nabc\r\n$-1\r\n", 2),
            Some(vec![Some(b"abc".to_vec()), None])
        );
        assert_eq!(mget_values(b"*2\r\n$3\r\nabc\r\n$-1\r\n", 3), None);
        assert_eq!(mget_values(b"*1\r\n:5\r\n", 1), Some(vec![None]));
        assert_eq!(mget_values(b"$3\r\nabc\r\n", 1), None);
        assert_eq!(mget_values(b"-ERR nope\r\n", 1), None);
        assert_eq!(mget_values(b"*1\r\n$18446744073709551615\r\n", 1), None);
    }
}
