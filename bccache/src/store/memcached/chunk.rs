//! Entries larger than one memcached item: stored as chunks, each under its own key, named by a
//! small head stored under the entry's key.
//!
//! Head: [`HEAD_MAGIC`] · u32 chunk count · u64 entry length · u64 generation. Chunk `n`:
//! u64 generation · u32 `n` · the entry's bytes from `n * per_chunk`. The generation is the
//! entry's own integrity trailer (the xxh3-64 of everything before it), so every chunk names
//! the write it belongs to: a chunk of an older or concurrent write, or one returned under
//! another chunk's key, is refused before the entry is put together, and the whole entry is
//! then checked by its trailer as any other. All integers little-endian.
//!
//! A head names exactly the chunks its entry length fills at the store's item size, so a head
//! cannot make a reader ask for more keys than the entry it claims; chunks are asked for a
//! window at a time and each is checked as it arrives, so a missing or foreign chunk ends the
//! load before the next window is asked for.
//!
//! Also here: telling a value the server refused as too large, and the error that says so.

use std::fmt;

use memcache::MemcacheError;
use xxhash_rust::xxh3::xxh3_128;

use super::MAX_KEY_LEN;
use super::client::ClientError;
use super::server::{ServerError, server_message};
use crate::stats::Verdict;

/// The first bytes of a head. An encoded bucket starts with `BC_MAGIC` ("bccache" and a
/// version), which this is not.
const HEAD_MAGIC: &[u8; 8] = b"bcchunk\x01";
const HEAD_LEN: usize = HEAD_MAGIC.len() + 4 + 8 + 8;
/// Generation and index, before each chunk's bytes.
pub(super) const CHUNK_HEADER_LEN: usize = 8 + 4;
/// The most chunks an entry may take.
const MAX_CHUNKS: u32 = 1 << 16;

/// What a head says about its entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Head {
    pub(super) count: u32,
    pub(super) entry_len: u64,
    pub(super) generation: u64,
}

impl Head {
    /// The head in `value`, if `value` is one (else it is an encoded bucket, or garbage) that a
    /// store splitting entries into items of `max_item_size` bytes could have written: its count
    /// of chunks is exactly what its entry length takes, so a head cannot name more chunks than
    /// its entry fills, whatever it says.
    pub(super) fn parse(value: &[u8], max_item_size: usize) -> Option<Head> {
        if value.len() != HEAD_LEN || !value.starts_with(HEAD_MAGIC) {
            return None;
        }
        let at = HEAD_MAGIC.len();
        let count = u32::from_le_bytes(value[at..at + 4].try_into().ok()?);
        let entry_len = u64::from_le_bytes(value[at + 4..at + 12].try_into().ok()?);
        let generation = u64::from_le_bytes(value[at + 12..at + 20].try_into().ok()?);
        let per_chunk = per_chunk(max_item_size)? as u64;
        let expected = entry_len.div_ceil(per_chunk);
        ((1..=u64::from(MAX_CHUNKS)).contains(&expected) && expected == u64::from(count)).then_some(
            Head {
                count,
                entry_len,
                generation,
            },
        )
    }

    /// The head's bytes.
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEAD_LEN);
        out.extend_from_slice(HEAD_MAGIC);
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.entry_len.to_le_bytes());
        out.extend_from_slice(&self.generation.to_le_bytes());
        out
    }

    /// Puts the entry together from its chunks, given in order as they arrive.
    pub(super) fn assembler(&self) -> Assembler {
        Assembler {
            head: *self,
            entry: Vec::new(),
            next: 0,
        }
    }
}

/// An entry being put together from its chunks, each checked as it arrives: its generation,
/// its index and its length, before its bytes are kept. Nothing is allocated beyond the bytes
/// of the chunks that passed.
pub(super) struct Assembler {
    head: Head,
    entry: Vec<u8>,
    next: u32,
}

impl Assembler {
    /// The index of the next chunk wanted, or `None` when all have come.
    pub(super) fn next_index(&self) -> Option<u32> {
        (self.next < self.head.count).then_some(self.next)
    }

    /// Takes the next chunk (`None`: it was not found). A missing chunk is
    /// [`Verdict::Missing`]; a chunk of another write or index, or one that would make the
    /// entry longer than its head says, [`Verdict::Rejected`].
    pub(super) fn push(&mut self, chunk: Option<Vec<u8>>) -> Result<(), Verdict> {
        let chunk = chunk.ok_or(Verdict::Missing)?;
        let header = chunk.get(..CHUNK_HEADER_LEN).ok_or(Verdict::Rejected)?;
        if header[..8] != self.head.generation.to_le_bytes()
            || header[8..] != self.next.to_le_bytes()
        {
            return Err(Verdict::Rejected);
        }
        let data = &chunk[CHUNK_HEADER_LEN..];
        let len = (self.entry.len() + data.len()) as u64;
        if len > self.head.entry_len || self.next >= self.head.count {
            return Err(Verdict::Rejected);
        }
        self.entry.extend_from_slice(data);
        self.next += 1;
        Ok(())
    }

    /// The entry, once every chunk came and the lengths add up to the head's.
    pub(super) fn finish(self) -> Result<Vec<u8>, Verdict> {
        if self.next != self.head.count || self.entry.len() as u64 != self.head.entry_len {
            return Err(Verdict::Rejected);
        }
        Ok(self.entry)
    }
}

/// The entry's bytes in each chunk of an item of `max_item_size` bytes.
fn per_chunk(max_item_size: usize) -> Option<usize> {
    max_item_size
        .checked_sub(CHUNK_HEADER_LEN)
        .filter(|&per_chunk| per_chunk > 0)
}

/// Splits an encoded entry into chunk values of at most `max_item_size` bytes each (made one at
/// a time, as they are stored), and the head that names them; `None` when it would take more
/// than [`MAX_CHUNKS`] chunks.
pub(super) fn split(
    entry: &[u8],
    max_item_size: usize,
) -> Option<(Head, impl Iterator<Item = Vec<u8>> + '_)> {
    let per_chunk = per_chunk(max_item_size)?;
    let generation = u64::from_le_bytes(entry.get(entry.len().checked_sub(8)?..)?.try_into().ok()?);
    let count = u32::try_from(entry.len().div_ceil(per_chunk))
        .ok()
        .filter(|count| (1..=MAX_CHUNKS).contains(count))?;
    let chunks = entry.chunks(per_chunk).enumerate().map(move |(n, data)| {
        let mut chunk = Vec::with_capacity(CHUNK_HEADER_LEN + data.len());
        chunk.extend_from_slice(&generation.to_le_bytes());
        chunk.extend_from_slice(&(n as u32).to_le_bytes());
        chunk.extend_from_slice(data);
        chunk
    });
    let head = Head {
        count,
        entry_len: entry.len() as u64,
        generation,
    };
    Some((head, chunks))
}

/// The key of chunk `n` of the entry under `entry_key`: `entry_key/n`, or, when that would pass
/// memcached's 250 bytes, `bccache/chunk/<xxh3-128 of entry_key>/n`.
pub(super) fn chunk_key(entry_key: &str, n: u32) -> String {
    let key = format!("{entry_key}/{n}");
    if key.len() <= MAX_KEY_LEN {
        key
    } else {
        format!("bccache/chunk/{:032x}/{n}", xxh3_128(entry_key.as_bytes()))
    }
}

/// Whether memcached refused a value as larger than its item size (binary protocol: status
/// "value too large"; text protocol: `SERVER_ERROR object too large for cache`).
pub(super) fn is_value_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(server) = error.downcast_ref::<ServerError>()
            && server_message(server).is_some_and(|message| message.contains("too large"))
        {
            return true;
        }
        match error.downcast_ref::<MemcacheError>() {
            Some(MemcacheError::CommandError(memcache::CommandError::ValueTooLarge)) => {
                return true;
            }
            Some(MemcacheError::ServerError(memcache::ServerError::Error(message)))
                if message.contains("too large") =>
            {
                return true;
            }
            _ => {}
        }
        cause = error.source();
    }
    false
}

/// A value over the server's item size, or an entry too large even for chunks.
#[derive(Debug)]
pub(super) struct TooLarge {
    pub(super) len: usize,
    pub(super) max_item_size: usize,
    /// The server's refusal, or `None` when the entry would need too many chunks.
    pub(super) refused: Option<ClientError>,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (len, max) = (self.len, self.max_item_size);
        match self.refused {
            Some(_) => write!(
                f,
                "the server refused a value of {len} bytes as over its item size limit \
                 (memcached's `-I`, 1m by default): start memcached with a larger `-I`, or set \
                 `.max_item_size()` (now {max} bytes) about 1 KiB below the server's `-I`"
            ),
            None => write!(
                f,
                "an entry of {len} bytes needs more than 65536 chunks of {max} bytes: raise \
                 `.max_item_size()` and memcached's `-I`"
            ),
        }
    }
}

impl std::error::Error for TooLarge {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.refused
            .as_deref()
            .map(|error| error as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: usize = 1024;

    fn entry(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn assemble(head: &Head, chunks: Vec<Option<Vec<u8>>>) -> Result<Vec<u8>, Verdict> {
        let mut assembler = head.assembler();
        for chunk in chunks {
            assembler.push(chunk)?;
        }
        assembler.finish()
    }

    #[test]
    fn split_then_assemble_gives_the_entry_back() {
        let entry = entry(10_000);
        let (head, chunks) = split(&entry, ITEM).expect("split");
        let chunks: Vec<Vec<u8>> = chunks.collect();
        assert_eq!(head.count as usize, chunks.len());
        assert!(chunks.iter().all(|c| c.len() <= ITEM));
        assert_eq!(Head::parse(&head.encode(), ITEM), Some(head));
        assert_eq!(
            assemble(&head, chunks.into_iter().map(Some).collect()),
            Ok(entry)
        );
    }

    #[test]
    fn missing_foreign_or_misplaced_chunks_are_misses() {
        let five_thousand = entry(5000);
        let (head, chunks) = split(&five_thousand, ITEM).expect("split");
        let chunks: Vec<Vec<u8>> = chunks.collect();
        let mut missing: Vec<_> = chunks.iter().cloned().map(Some).collect();
        missing[2] = None;
        assert_eq!(assemble(&head, missing), Err(Verdict::Missing));

        let other_entry = entry(5001);
        let (_, mut other) = split(&other_entry, ITEM).expect("split");
        let mut foreign: Vec<_> = chunks.iter().cloned().map(Some).collect();
        foreign[1] = other.nth(1);
        assert_eq!(assemble(&head, foreign), Err(Verdict::Rejected));

        let mut swapped: Vec<_> = chunks.iter().cloned().map(Some).collect();
        swapped.swap(0, 1);
        assert_eq!(assemble(&head, swapped), Err(Verdict::Rejected));

        let mut short: Vec<_> = chunks.iter().cloned().map(Some).collect();
        if let Some(Some(last)) = short.last_mut() {
            last.pop();
        }
        assert_eq!(assemble(&head, short), Err(Verdict::Rejected));
    }

    #[test]
    fn a_chunk_of_another_write_is_refused_before_the_next_arrives() {
        let entry = entry(5000);
        let (head, chunks) = split(&entry, ITEM).expect("split");
        let mut first = chunks.into_iter().next().expect("a chunk");
        first[0] ^= 1;
        let mut assembler = head.assembler();
        assert_eq!(assembler.push(Some(first)), Err(Verdict::Rejected));
    }

    #[test]
    fn heads_naming_more_or_fewer_chunks_than_their_length_fills_are_not_heads() {
        let per_chunk = (ITEM - CHUNK_HEADER_LEN) as u64;
        for (count, entry_len) in [
            (0, 1),
            (65_536, 2000),
            (3, 2 * per_chunk),
            (1, per_chunk + 1),
            (MAX_CHUNKS + 1, u64::from(MAX_CHUNKS + 1) * per_chunk),
            (u32::MAX, u64::MAX),
        ] {
            let head = Head {
                count,
                entry_len,
                generation: 7,
            };
            assert_eq!(
                Head::parse(&head.encode(), ITEM),
                None,
                "{count} {entry_len}"
            );
        }
        let exact = Head {
            count: 2,
            entry_len: per_chunk + 1,
            generation: 7,
        };
        assert_eq!(Head::parse(&exact.encode(), ITEM), Some(exact));
        // The same head read by a store of another item size is no head of its.
        assert_eq!(Head::parse(&exact.encode(), 2 * ITEM), None);
        assert_eq!(Head::parse(b"bcchunk\x01", ITEM), None);
        // A head is never read as an encoded bucket, nor a bucket as a head.
        assert!(!crate::BC_MAGIC.starts_with(&HEAD_MAGIC[..7]));
    }

    #[test]
    fn chunk_keys_stay_within_memcached_limit() {
        let short = "jinja2/bytecode/0123";
        assert_eq!(chunk_key(short, 3), "jinja2/bytecode/0123/3");
        let long = "p".repeat(250);
        let key = chunk_key(&long, 65_535);
        assert!(key.len() <= MAX_KEY_LEN, "{key}");
        assert_ne!(key, chunk_key(&"q".repeat(250), 65_535));
    }
}
