//! The encoded entry's layout, for readers that do not know what they will find: the header of
//! an entry of unknown key, a whole entry checked in bounded memory, and the reads that fill a
//! bucket from a file.
//!
//! The format is in [`Bucket`](crate::Bucket)'s docs. [`Bucket`](crate::Bucket) decodes an
//! entry it expects (its own key and checksum); upkeep decodes entries it finds.

use std::hash::Hasher;
use std::io::{self, Read};

use twox_hash::XxHash3_64;

use crate::bucket::BC_MAGIC;

/// Bytes of the trailing xxh3 checksum.
pub(crate) const TRAILER_LEN: usize = 8;

/// The first bytes of every entry bccache wrote, of any format version.
pub(crate) const BCCACHE_PREFIX: &[u8] = b"bccache\0";

/// How much of an entry a reader of unknown entries looks at to find its header.
const HEADER_LOOK: usize = 64 * 1024;

/// What an entry's header says about itself, read without knowing the environment or the
/// source.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EntryInfo {
    /// xxh3 of the environment's fingerprint.
    pub(crate) fingerprint: u64,
    pub(crate) key: Vec<u8>,
    pub(crate) checksum: Vec<u8>,
    pub(crate) code_len: u64,
}

/// Why an entry is not an intact bccache entry of this format version.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Not ours to judge: Jinja2's own (`j2` magic) or another bccache format version.
    Foreign,
    /// Damaged: the reason.
    Corrupt(&'static str),
}

/// How many first bytes of a file [`owner`] looks at: the magic, and a key of any length a
/// file name can hold.
pub(crate) const OWNER_LOOK: usize = 4096;

/// Who wrote an entry, as far as its first bytes tell.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Owner<'a> {
    /// Not bccache: no magic.
    NotBccache,
    /// This format version, stored under this key.
    Key(&'a [u8]),
    /// bccache (the magic), but the key cannot be read: another format version, or a header
    /// cut short.
    Unknown,
}

/// Who wrote the entry starting with `bytes` (its first [`OWNER_LOOK`] bytes, or all of it).
pub(crate) fn owner(bytes: &[u8]) -> Owner<'_> {
    if !bytes.starts_with(BCCACHE_PREFIX) {
        return Owner::NotBccache;
    }
    if !bytes.starts_with(BC_MAGIC) {
        return Owner::Unknown;
    }
    let at = BC_MAGIC.len() + 8;
    let Some(len) = bytes.get(at..at + 4) else {
        return Owner::Unknown;
    };
    let len = u32::from_le_bytes(array(len)) as usize;
    match bytes.get(at + 4..(at + 4).saturating_add(len)) {
        Some(key) => Owner::Key(key),
        None => Owner::Unknown,
    }
}

const TRUNCATED: Problem = Problem::Corrupt("truncated");

/// The header at the start of `bytes` and its length; `Corrupt("truncated")` if `bytes` ends
/// inside it.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<(EntryInfo, usize), Problem> {
    if !bytes.starts_with(BC_MAGIC) {
        let other_version = bytes.len() >= BC_MAGIC.len() && bytes.starts_with(BCCACHE_PREFIX);
        if other_version || bytes.starts_with(b"j2") {
            return Err(Problem::Foreign);
        }
        if bytes.len() < BC_MAGIC.len() && BC_MAGIC.starts_with(bytes) {
            return Err(TRUNCATED);
        }
        return Err(Problem::Corrupt("not a bccache entry"));
    }
    let mut at = BC_MAGIC.len();
    let mut take = |n: usize| -> Result<&[u8], Problem> {
        let part = bytes
            .get(at..at.checked_add(n).ok_or(TRUNCATED)?)
            .ok_or(TRUNCATED)?;
        at += n;
        Ok(part)
    };
    let fingerprint = u64::from_le_bytes(array(take(8)?));
    let key_len = u32::from_le_bytes(array(take(4)?)) as usize;
    let key = take(key_len)?.to_vec();
    let checksum_len = u32::from_le_bytes(array(take(4)?)) as usize;
    let checksum = take(checksum_len)?.to_vec();
    let code_len = u64::from_le_bytes(array(take(8)?));
    let info = EntryInfo {
        fingerprint,
        key,
        checksum,
        code_len,
    };
    Ok((info, at))
}

/// Decodes a whole entry structurally: magic, lengths that add up to the size, and the trailer.
pub(crate) fn inspect(bytes: &[u8]) -> Result<EntryInfo, Problem> {
    let (info, header_len) = parse_header(bytes)?;
    check_size(&info, header_len, bytes.len() as u64)?;
    let body_len = bytes.len() - TRAILER_LEN;
    if XxHash3_64::oneshot(&bytes[..body_len]) != u64::from_le_bytes(tail8(bytes)) {
        return Err(Problem::Corrupt("the trailer does not match"));
    }
    Ok(info)
}

/// Whether an entry whose header says `info` (`header_len` bytes) fills exactly `len` bytes.
fn check_size(info: &EntryInfo, header_len: usize, len: u64) -> Result<(), Problem> {
    let expected = info.code_len.checked_add((header_len + TRAILER_LEN) as u64);
    if expected != Some(len) {
        return Err(Problem::Corrupt("the code length does not match the size"));
    }
    Ok(())
}

/// [`inspect`] for the `len` bytes of `r` (a file of that size), in bounded memory: the
/// header is read from the first 64 KiB and checked against the size before anything else,
/// then the rest streams through the trailer's hash.
pub(crate) fn inspect_reader(mut r: impl Read, len: u64) -> io::Result<Result<EntryInfo, Problem>> {
    let mut head = vec![0u8; usize::try_from(len).map_or(HEADER_LOOK, |l| l.min(HEADER_LOOK))];
    let got = read_full(&mut r, &mut head)?;
    if got < head.len() {
        return Ok(Err(TRUNCATED));
    }
    let (info, header_len) = match parse_header(&head) {
        Ok(parsed) => parsed,
        Err(TRUNCATED) if (head.len() as u64) < len => {
            return Ok(Err(Problem::Corrupt("a header longer than 64 KiB")));
        }
        Err(problem) => return Ok(Err(problem)),
    };
    if let Err(problem) = check_size(&info, header_len, len) {
        return Ok(Err(problem));
    }
    let body_len = len - TRAILER_LEN as u64;
    let mut hasher = XxHash3_64::with_seed(0);
    let mut trailer = [0u8; TRAILER_LEN];
    let mut at = 0u64;
    let mut feed = |chunk: &[u8], at: &mut u64| {
        for (i, byte) in chunk.iter().enumerate() {
            let pos = *at + i as u64;
            if pos >= body_len {
                trailer[(pos - body_len) as usize] = *byte;
            }
        }
        let body_part = body_len.saturating_sub(*at).min(chunk.len() as u64) as usize;
        hasher.write(&chunk[..body_part]);
        *at += chunk.len() as u64;
    };
    feed(&head, &mut at);
    let mut buf = vec![0u8; HEADER_LOOK];
    while at < len {
        let want = usize::try_from(len - at).map_or(buf.len(), |w| w.min(buf.len()));
        let got = read_full(&mut r, &mut buf[..want])?;
        if got < want {
            return Ok(Err(TRUNCATED));
        }
        feed(&buf[..want], &mut at);
    }
    if hasher.finish() != u64::from_le_bytes(trailer) {
        return Ok(Err(Problem::Corrupt("the trailer does not match")));
    }
    Ok(Ok(info))
}

/// Reads until `buf` is full or the reader ends; how many bytes arrived.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

/// The last 8 bytes of `bytes` (at least 8 long).
pub(crate) fn tail8(bytes: &[u8]) -> [u8; 8] {
    array(&bytes[bytes.len() - 8..])
}

/// The trailer of an entry whose header and code lie in separate buffers.
pub(crate) fn trailer_of(header: &[u8], code: &[u8]) -> u64 {
    let mut hasher = XxHash3_64::with_seed(0);
    hasher.write(header);
    hasher.write(code);
    hasher.finish()
}

/// Fills `header` and then `want` bytes of `code`'s spare capacity from `file`, with one `readv`
/// when the kernel hands over everything at once (it does for a regular file in the page
/// cache); `false` when the file ends first. A short read (NFS, FUSE, a signal) continues where
/// it stopped.
#[cfg(unix)]
pub(crate) fn readv_exact(
    file: &std::fs::File,
    header: &mut [u8],
    code: &mut Vec<u8>,
    want: usize,
) -> io::Result<bool> {
    use std::os::fd::AsRawFd;

    debug_assert!(code.is_empty() && code.capacity() >= want);
    let mut in_header = 0usize;
    while in_header < header.len() || code.len() < want {
        let in_code = code.len();
        let header_rest = &mut header[in_header..];
        // The spare capacity starts at `code.len()`: what is left to fill is its first
        // `want - in_code` bytes.
        let code_rest = &mut code.spare_capacity_mut()[..want - in_code];
        let iov = [
            libc::iovec {
                iov_base: header_rest.as_mut_ptr().cast(),
                iov_len: header_rest.len(),
            },
            libc::iovec {
                iov_base: code_rest.as_mut_ptr().cast(),
                iov_len: code_rest.len(),
            },
        ];
        // SAFETY: both iovecs point into live, writable buffers of exactly the given lengths
        // (the header's unread tail, and the unwritten part of `code`'s spare capacity below
        // `want`); the kernel writes at most that many bytes and nothing else holds them.
        let read = unsafe { libc::readv(file.as_raw_fd(), iov.as_ptr(), 2) };
        let Ok(read) = usize::try_from(read) else {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        };
        if read == 0 {
            return Ok(false);
        }
        let to_header = read.min(header_rest.len());
        in_header += to_header;
        let to_code = read - to_header;
        debug_assert!(to_code <= want - in_code);
        // SAFETY: the kernel initialised the `to_code` bytes of the spare capacity right after
        // the old length (the second iovec starts there), and `in_code + to_code <= want`,
        // which is within the capacity.
        unsafe { code.set_len(in_code + to_code) };
    }
    Ok(true)
}

/// `read_exact` that reports running out of bytes as `false` instead of an error.
pub(crate) fn read_exact_or_eof(r: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    match r.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether the reader has no byte left.
pub(crate) fn at_eof(r: &mut impl Read) -> io::Result<bool> {
    let mut probe = [0u8; 1];
    loop {
        match r.read(&mut probe) {
            Ok(n) => return Ok(n == 0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bucket::Bucket;

    fn entry(key: &str, code: &[u8]) -> Vec<u8> {
        let mut bucket = Bucket::new(&(), key, "sum");
        bucket.code = Some(code.to_vec());
        bucket.bytecode_to_string().unwrap()
    }

    #[test]
    fn inspect_reads_what_the_encoder_wrote() {
        let info = inspect(&entry("k1", b"code")).unwrap();
        assert_eq!(info.key, b"k1");
        assert_eq!(info.checksum, b"sum");
        assert_eq!(info.code_len, 4);
    }

    #[test]
    fn inspect_finds_every_kind_of_damage() {
        let good = entry("k1", b"some code here");
        for cut in 0..good.len() {
            assert!(
                matches!(inspect(&good[..cut]), Err(Problem::Corrupt(_))),
                "cut at {cut}"
            );
        }
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        assert!(matches!(inspect(&flipped), Err(Problem::Corrupt(_))));
        let mut longer = good.clone();
        longer.push(0);
        assert!(matches!(inspect(&longer), Err(Problem::Corrupt(_))));
        assert_eq!(
            inspect(b"garbage"),
            Err(Problem::Corrupt("not a bccache entry"))
        );
    }

    #[test]
    fn inspect_reader_agrees_with_inspect_on_every_cut_and_flip() {
        let code: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
        let good = entry("k1", &code);
        let whole = |bytes: &[u8]| inspect_reader(bytes, bytes.len() as u64).unwrap();
        assert_eq!(whole(&good), inspect(&good));
        for cut in [0, 5, 12, 30, 70_000, good.len() - 1] {
            assert_eq!(whole(&good[..cut]), inspect(&good[..cut]), "cut at {cut}");
        }
        for flip in [3, 40, 65_535, 65_536, 150_000, good.len() - 1] {
            let mut bad = good.clone();
            bad[flip] ^= 1;
            assert_eq!(whole(&bad), inspect(&bad), "flip at {flip}");
        }
        // A reader shorter than the size it claims is truncated, never a panic.
        assert_eq!(
            inspect_reader(&good[..1000], good.len() as u64).unwrap(),
            Err(TRUNCATED)
        );
    }

    #[test]
    fn the_owner_is_read_from_the_magic_and_the_key() {
        let good = entry("k1", b"code");
        assert_eq!(owner(&good), Owner::Key(b"k1"));
        assert_eq!(owner(&good[..22]), Owner::Unknown);
        assert_eq!(owner(b"README: hello"), Owner::NotBccache);
        assert_eq!(owner(b"j2\x80\x02"), Owner::NotBccache);
        let mut other = good.clone();
        other[8] = 99;
        assert_eq!(owner(&other), Owner::Unknown);
    }

    #[test]
    fn jinja2_entries_and_other_versions_are_foreign() {
        assert_eq!(inspect(b"j2\x80\x02K\x05.rest"), Err(Problem::Foreign));
        let mut other = entry("k", b"c");
        other[8] = 99;
        assert_eq!(inspect(&other), Err(Problem::Foreign));
    }
}
