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
            let size = want.min(ahead).max(READ_SIZE).max(unparsed + 1);
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
