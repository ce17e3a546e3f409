//! The bytes of a connection's replies: received, handed to a sans-IO parser, and taken as it
//! parses them. Both transports read into it; neither knows a protocol.

use super::Parsed;
use super::exchange::Exchange;

/// Bytes read at a time when the parser wants no more than that.
const READ_SIZE: usize = 64 * 1024;
/// A buffer grown past this for a large reply is given back once the reply is parsed.
const KEEP_BUFFER: usize = 1024 * 1024;
/// The buffer grows at most this much, or twice what it holds, ahead of the bytes received: a
/// reply announcing a large value costs memory as its bytes arrive, not on its word.
const GROW_AHEAD: usize = 4 * 1024 * 1024;
/// Room made past the bytes a parser asks for, so what follows them in the reply (memcached's
/// `END` after a value) comes in the same read and a hit costs one read, not two.
const READ_TAIL: usize = 4 * 1024;

/// What one step of parsing the received bytes gave.
pub(crate) enum Step<T, E> {
    /// A whole reply.
    Done(T),
    /// Read more; at least this many unparsed bytes in all are needed.
    Need(usize),
    /// The parser refused the bytes.
    Refused(E),
}

/// Received bytes, `bytes[start..end]` not yet parsed; the rest is room to read into.
#[derive(Default)]
pub(crate) struct ReplyBuffer {
    bytes: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReplyBuffer {
    /// Whether bytes are left over from an earlier reply: the connection is out of step.
    pub(crate) fn has_leftovers(&self) -> bool {
        self.start != self.end
    }

    /// Hands the unparsed bytes to `parse` and takes what it parsed.
    pub(crate) fn parse<T, E>(
        &mut self,
        parse: impl FnOnce(&[u8]) -> Result<Parsed<T>, E>,
    ) -> Step<T, E> {
        match parse(&self.bytes[self.start..self.end]) {
            Ok(Parsed::Done(reply, taken)) => {
                self.start += taken.min(self.end - self.start);
                if self.start == self.end {
                    self.start = 0;
                    self.end = 0;
                    if self.bytes.len() > KEEP_BUFFER {
                        self.bytes = Vec::new();
                    }
                }
                Step::Done(reply)
            }
            Ok(Parsed::Incomplete(need)) => Step::Need(need),
            Err(error) => {
                // What was received of a refused reply is dropped: after a whole error line
                // the connection is in step again; after anything else it is dropped.
                self.start = 0;
                self.end = 0;
                Step::Refused(error)
            }
        }
    }

    /// Parses what it can of the received bytes by `exchange`: its whole answer, or how many
    /// unparsed bytes in all it needs (`Err`).
    pub(crate) fn answer<X: Exchange>(
        &mut self,
        exchange: &mut X,
    ) -> Result<Result<X::Output, usize>, X::Error> {
        loop {
            match self.parse(|bytes| exchange.parse(bytes)) {
                Step::Done(Some(output)) => return Ok(Ok(output)),
                Step::Done(None) => {}
                Step::Need(need) => return Ok(Err(need)),
                Step::Refused(error) => return Err(error),
            }
        }
    }

    /// Room to read at least one more byte into, made towards `need` unparsed bytes in all.
    pub(crate) fn room(&mut self, need: usize) -> &mut [u8] {
        let unparsed = self.end - self.start;
        let want = need.max(unparsed + 1);
        if self.bytes.len() - self.start < want || self.end == self.bytes.len() {
            // Move the unparsed bytes to the front, then grow towards `want`.
            self.bytes.copy_within(self.start..self.end, 0);
            self.start = 0;
            self.end = unparsed;
            let ahead = unparsed.saturating_mul(2).max(GROW_AHEAD);
            let size = if want <= ahead {
                // Not past what is kept, so that a reply that fits is not given back for its tail.
                want.saturating_add(READ_TAIL).min(want.max(KEEP_BUFFER))
            } else {
                ahead
            };
            let size = size.max(READ_SIZE).max(unparsed + 1);
            if self.bytes.len() < size {
                self.bytes.resize(size, 0);
            }
        }
        &mut self.bytes[self.end..]
    }

    /// Takes `read` bytes read into [`room`](Self::room).
    pub(crate) fn filled(&mut self, read: usize) {
        self.end = (self.end + read).min(self.bytes.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_announced_reply_grows_the_buffer_as_bytes_arrive() {
        let mut buffer = ReplyBuffer::default();
        let room = buffer.room(1 << 40).len();
        assert!(room <= GROW_AHEAD, "{room}");
        buffer.filled(room);
        let more = buffer.room(1 << 40).len();
        assert!(more <= 2 * room, "{more}");
    }

    /// Feeds `reply` through the buffer as a transport would, `chunk` bytes a read at most, to
    /// a parser that, as memcached's, knows a message's length only once its first bytes are
    /// in: a `need`-byte message, then a 5-byte end. How many reads it took.
    fn reads_for(buffer: &mut ReplyBuffer, reply: &[u8], need: usize, chunk: usize) -> usize {
        let (mut sent, mut reads, mut step) = (0, 0, 0);
        loop {
            let wanted = [need, 5][step];
            match buffer.parse(|bytes| {
                Ok::<_, ()>(if bytes.is_empty() {
                    Parsed::Incomplete(1)
                } else if bytes.len() >= wanted {
                    Parsed::Done((), wanted)
                } else {
                    Parsed::Incomplete(wanted)
                })
            }) {
                Step::Done(()) if step == 1 => return reads,
                Step::Done(()) => step = 1,
                Step::Need(need) => {
                    let room = buffer.room(need);
                    let read = room.len().min(chunk).min(reply.len() - sent);
                    room[..read].copy_from_slice(&reply[sent..sent + read]);
                    buffer.filled(read);
                    sent += read;
                    reads += 1;
                }
                Step::Refused(()) => unreachable!("the parser refuses nothing"),
            }
        }
    }

    #[test]
    fn the_end_of_a_reply_comes_in_the_read_of_the_value_before_it() {
        let value = 64 * 1024 + 200;
        let reply = vec![b'v'; value + 5];
        let mut buffer = ReplyBuffer::default();
        // The first reply grows the buffer; every later one, arriving whole, is one read.
        assert_eq!(reads_for(&mut buffer, &reply, value, usize::MAX), 2);
        for _ in 0..3 {
            assert_eq!(reads_for(&mut buffer, &reply, value, usize::MAX), 1);
        }
        assert!(!buffer.has_leftovers());
    }

    #[test]
    fn the_buffer_keeps_its_allocation_from_reply_to_reply() {
        let value = 200 * 1024;
        let reply = vec![b'v'; value + 5];
        let mut buffer = ReplyBuffer::default();
        reads_for(&mut buffer, &reply, value, 16 * 1024);
        let (at, len) = (buffer.bytes.as_ptr(), buffer.bytes.len());
        assert!(len >= value + 5 && len <= value + READ_TAIL + 5, "{len}");
        for _ in 0..3 {
            reads_for(&mut buffer, &reply, value, 16 * 1024);
            assert_eq!((buffer.bytes.as_ptr(), buffer.bytes.len()), (at, len));
        }
    }

    #[test]
    fn a_buffer_is_given_back_only_when_grown_past_what_it_keeps() {
        for (value, kept) in [(KEEP_BUFFER - 10, true), (KEEP_BUFFER + 1, false)] {
            let reply = vec![b'v'; value + 5];
            let mut buffer = ReplyBuffer::default();
            reads_for(&mut buffer, &reply, value, usize::MAX);
            assert_eq!(buffer.bytes.capacity() >= value, kept, "{value}");
        }
    }

    #[test]
    fn parsed_bytes_are_taken_and_leftovers_seen() {
        let mut buffer = ReplyBuffer::default();
        buffer.room(4)[..4].copy_from_slice(b"abcd");
        buffer.filled(4);
        let step = buffer.parse(|bytes| Ok::<_, ()>(Parsed::Done(bytes[0], 1)));
        assert!(matches!(step, Step::Done(b'a')));
        assert!(buffer.has_leftovers());
        let step = buffer.parse(|bytes| Ok::<_, ()>(Parsed::Done(bytes.len(), 3)));
        assert!(matches!(step, Step::Done(3)));
        assert!(!buffer.has_leftovers());
    }
}
