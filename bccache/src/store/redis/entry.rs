//! A `GET` of one entry decoded into its bucket where the value lies in the received bytes:
//! a hit copies its code once, into the bucket, instead of copying the value out of the reply
//! and then the code out of the value.

use super::connection::Awaiting;
use crate::bucket::Bucket;
use crate::checksum::Checksum;
use crate::stats::Verdict;

/// The bucket a `GET`'s value is decoded into, once its reply is whole (the value is the whole
/// reply, so a reply that fails, or a load dropped before it is whole, leaves the bucket as it
/// was).
pub(super) struct IntoBucket<'b, 'e> {
    pub(super) bucket: &'b mut Bucket<'e>,
    /// A source to sum into the bucket's checksum once the request is sent, while the server
    /// answers (the checksum is needed to decode only when the value is in).
    source: Option<(Checksum, &'b [u8])>,
    /// The verdict on the value decoded, and its length.
    pub(super) decoded: Option<(Verdict, usize)>,
}

impl<'b, 'e> IntoBucket<'b, 'e> {
    /// Decodes into `bucket`, whose checksum is known.
    pub(super) fn new(bucket: &'b mut Bucket<'e>) -> Self {
        IntoBucket {
            bucket,
            source: None,
            decoded: None,
        }
    }

    /// Decodes into `bucket` once its checksum, `checksum` of `source`, is summed.
    pub(super) fn summing(
        bucket: &'b mut Bucket<'e>,
        checksum: Checksum,
        source: &'b [u8],
    ) -> Self {
        IntoBucket {
            source: Some((checksum, source)),
            ..IntoBucket::new(bucket)
        }
    }

    /// Sums the source into the bucket's checksum, once.
    pub(super) fn sum(&mut self) {
        if let Some((checksum, source)) = self.source.take() {
            self.bucket.checksum = checksum.of(source);
        }
    }

    /// Decodes `value` into the bucket.
    pub(super) fn decode(&mut self, value: &[u8]) {
        self.sum();
        self.decoded = Some((self.bucket.decode_slice(value), value.len()));
    }
}

impl Awaiting for IntoBucket<'_, '_> {
    fn sent(&mut self) {
        self.sum();
    }

    fn take(&mut self, bytes: &[u8]) {
        self.decode(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::super::connection::{Replies, WhileWaiting};
    use super::super::resp::{Limits, Value};
    use super::*;
    use crate::net::buffer::ReplyBuffer;

    const KEY: &str = "prefix/key";
    const GET: Limits = Limits {
        max_bulk: 1024 * 1024,
        max_items: 0,
    };
    const OK: Limits = Limits {
        max_bulk: 0,
        max_items: 0,
    };

    /// An encoded entry for a bucket under `KEY` of a source summed to `checksum`.
    fn entry(code: &[u8], checksum: &str) -> Vec<u8> {
        let mut bucket = Bucket::new(&(), KEY, checksum);
        bucket.code = Some(code.to_vec());
        bucket.bytecode_to_string().expect("encode")
    }

    fn bulk(value: &[u8]) -> Vec<u8> {
        [format!("${}\r\n", value.len()).as_bytes(), value, b"\r\n"].concat()
    }

    /// `reply` read as the replies to commands of `limits`, the last one's value taken by
    /// `into`: the replies, or `None` while more bytes are needed.
    fn read(
        reply: &[u8],
        limits: &[Limits],
        into: &mut IntoBucket<'_, '_>,
    ) -> Result<Option<Vec<Value>>, super::super::connection::Refusal> {
        let mut buffer = ReplyBuffer::default();
        buffer.room(reply.len())[..reply.len()].copy_from_slice(reply);
        buffer.filled(reply.len());
        let awaiting: WhileWaiting<'_> = Some(into);
        let mut replies = Replies::new(limits, awaiting);
        crate::net::exchange::Exchange::sent(&mut replies);
        match buffer.answer(&mut replies)? {
            Ok(values) => Ok(Some(values)),
            Err(_need) => Ok(None),
        }
    }

    #[test]
    fn a_whole_get_reply_is_decoded_into_the_bucket_where_it_lies() {
        let code = vec![7u8; 64 * 1024];
        let stored = entry(&code, "checksum");
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let mut into = IntoBucket::new(&mut bucket);
        let replies = read(&bulk(&stored), &[GET], &mut into).expect("a whole reply");
        assert_eq!(replies, Some(vec![Value::Taken(stored.len())]));
        assert_eq!(into.decoded, Some((Verdict::Hit, stored.len())));
        assert_eq!(bucket.code.as_deref(), Some(&code[..]));
    }

    #[test]
    fn the_source_is_summed_once_the_get_is_sent_and_its_entry_then_decoded() {
        let source = b"{{ template }}";
        let checksum = Checksum::Sha1.of(source);
        let stored = entry(b"code", &checksum);
        let mut bucket = Bucket::new(&(), KEY, String::new());
        let mut into = IntoBucket::summing(&mut bucket, Checksum::Sha1, source);
        read(&bulk(&stored), &[GET], &mut into).expect("a whole reply");
        assert_eq!(into.decoded, Some((Verdict::Hit, stored.len())));
        assert_eq!(bucket.checksum, checksum);
        assert_eq!(bucket.code.as_deref(), Some(&b"code"[..]));
    }

    #[test]
    fn an_entry_of_another_source_is_decoded_as_a_miss() {
        let stored = entry(b"code", "checksum");
        let mut bucket = Bucket::new(&(), KEY, "another checksum");
        let mut into = IntoBucket::new(&mut bucket);
        read(&bulk(&stored), &[GET], &mut into).expect("a whole reply");
        assert!(matches!(into.decoded, Some((verdict, _)) if verdict != Verdict::Hit));
        assert_eq!(bucket.code, None);
    }

    #[test]
    fn a_reply_failing_after_its_value_leaves_the_bucket_untouched() {
        let stored = entry(b"code", "checksum");
        let mut bad_end = bulk(&stored);
        let at = bad_end.len() - 2;
        bad_end[at..].copy_from_slice(b"XY");
        let whole = bulk(&stored);
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let mut into = IntoBucket::new(&mut bucket);
        // The value's bytes are all in, but not the end that makes the reply whole.
        assert!(matches!(
            read(&whole[..whole.len() - 1], &[GET], &mut into),
            Ok(None)
        ));
        assert!(read(&bad_end, &[GET], &mut into).is_err());
        assert_eq!(into.decoded, None);
        assert_eq!(bucket.code, None);
    }

    #[test]
    fn nil_and_error_replies_are_not_taken() {
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let mut into = IntoBucket::new(&mut bucket);
        let nil = read(b"$-1\r\n", &[GET], &mut into).expect("a whole reply");
        assert_eq!(nil, Some(vec![Value::Nil]));
        let moved = read(b"-MOVED 1 127.0.0.1:7000\r\n", &[GET], &mut into).expect("a reply");
        assert_eq!(
            moved,
            Some(vec![Value::Error("MOVED 1 127.0.0.1:7000".into())])
        );
        assert_eq!(into.decoded, None);
    }

    #[test]
    fn only_the_last_reply_of_a_pipeline_is_taken() {
        let stored = entry(b"code", "checksum");
        let reply = [b"+OK\r\n".to_vec(), bulk(&stored)].concat();
        let mut bucket = Bucket::new(&(), KEY, "checksum");
        let mut into = IntoBucket::new(&mut bucket);
        let replies = read(&reply, &[OK, GET], &mut into).expect("a whole reply");
        assert_eq!(
            replies,
            Some(vec![
                Value::Simple(b"OK".to_vec()),
                Value::Taken(stored.len())
            ])
        );
        assert_eq!(bucket.code.as_deref(), Some(&b"code"[..]));
    }
}
