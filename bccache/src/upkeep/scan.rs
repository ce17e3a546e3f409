//! Looking at a directory without changing it: [`scan_dir`] for `bccache stats`, and the
//! patterns upkeep may act on.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::entry::{Problem, TRAILER_LEN, inspect, parse_header};
use crate::error::{Error, Result};
use crate::store::fs::layout::{PROGRESS_EVERY, Pattern, is_entry_name, temp_target};
use crate::store::fs::lease;
use crate::store::fs::stats_file::{self, STATS_PREFIX};
use crate::store::fs::{DEFAULT_PATTERN, default_dir};
use crate::upkeep::{DirReport, PatternReport, SkippedPattern};

/// Entries, bytes, ages, corrupt entries, temporary files and persisted counts per pattern found
/// in `dir`, without changing anything.
///
/// Patterns come from the stats files in `dir` (exact), then [`DEFAULT_PATTERN`], then any name
/// of the form `PREFIX<40 hex digits>SUFFIX` (a guess: `PREFIX%sSUFFIX`).
pub fn scan_dir(dir: &Path) -> Result<DirReport> {
    scan_dir_with_progress(dir, &mut |_| {})
}

/// [`scan_dir`] calling `progress` with the number of names looked at so far, every few
/// hundred names.
pub fn scan_dir_with_progress(dir: &Path, progress: &mut dyn FnMut(u64)) -> Result<DirReport> {
    let persisted = stats_file::read_all(dir)?;
    let (_, skipped_patterns) = recorded_patterns(dir)?;
    let mut classifier = Classifier::new(persisted.iter().map(|(p, _)| p.as_str()));
    let mut reports: HashMap<String, (PatternReport, Vec<SystemTime>)> = HashMap::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list cache directory", dir, e))?;
    let mut other_files = 0;
    let mut seen = 0u64;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("list cache directory", dir, e))?;
        seen += 1;
        if seen.is_multiple_of(PROGRESS_EVERY) {
            progress(seen);
        }
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            other_files += 1;
            continue;
        };
        if name.starts_with(STATS_PREFIX) {
            continue;
        }
        // A lock file is classified by the entry it locks.
        let lock_of = lease::lock_target(name);
        let Some((pattern, is_temp)) = classifier.classify(lock_of.unwrap_or(name)) else {
            other_files += 1;
            continue;
        };
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        let (report, mtimes) = reports.entry(pattern.clone()).or_insert_with(|| {
            (
                PatternReport {
                    pattern,
                    ..PatternReport::default()
                },
                Vec::new(),
            )
        });
        if file_type.is_symlink() {
            report.symlinks += 1;
        } else if lock_of.is_some() && !is_temp {
            report.lock_files += 1;
        } else if is_temp {
            report.temp_files += 1;
        } else if file_type.is_file() {
            let path = entry.path();
            let Some(meta) = lstat_or_vanished(&path)? else {
                continue;
            };
            report.entries += 1;
            report.bytes = report.bytes.saturating_add(meta.len());
            mtimes.push(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
            if quick_check(&path, meta.len()) == Some(false) {
                report.corrupt += 1;
            }
        } else {
            other_files += 1;
        }
    }
    for (pattern, stats) in persisted {
        let (report, _) = reports.entry(pattern.clone()).or_insert_with(|| {
            (
                PatternReport {
                    pattern,
                    ..PatternReport::default()
                },
                Vec::new(),
            )
        });
        report.stats = stats;
    }
    let mut patterns: Vec<PatternReport> = reports
        .into_values()
        .map(|(mut report, mut mtimes)| {
            mtimes.sort_unstable();
            report.oldest = mtimes.first().copied();
            report.newest = mtimes.last().copied();
            report.median = mtimes.get(mtimes.len() / 2).copied();
            report
        })
        .collect();
    patterns.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    Ok(DirReport {
        directory: dir.to_owned(),
        patterns,
        other_files,
        skipped_patterns,
    })
}

/// The valid patterns the stats files in `dir` record, sorted: the patterns upkeep acts on
/// when none is named. Invalid ones are left out (see [`recorded_patterns`]).
pub fn patterns_in(dir: &Path) -> Result<Vec<String>> {
    Ok(recorded_patterns(dir)?.0)
}

/// The patterns the stats files in `dir` record, sorted: the valid ones, and the invalid ones
/// with the reason, to report and skip.
pub fn recorded_patterns(dir: &Path) -> Result<(Vec<String>, Vec<SkippedPattern>)> {
    let mut valid = Vec::new();
    let mut skipped = Vec::new();
    for (pattern, _) in stats_file::read_all(dir)? {
        match Pattern::parse(&pattern) {
            Ok(_) => valid.push(pattern),
            Err(error) => skipped.push(SkippedPattern {
                reason: error.to_string(),
                pattern,
            }),
        }
    }
    Ok((valid, skipped))
}

/// The default directory (`<temp dir>/_bccache-<uid>`) after the checks
/// [`FileSystemBytecodeCache::with_default_dir`] makes (a real directory, ours, mode 0700,
/// which a wrong mode is repaired to), without creating it: `None` when it does not exist.
///
/// [`FileSystemBytecodeCache::with_default_dir`]: crate::FileSystemBytecodeCache::with_default_dir
pub fn checked_default_dir() -> Result<Option<PathBuf>> {
    default_dir::checked_existing()
}

/// Tells which pattern a file name belongs to: known patterns first (the most specific first,
/// as `%s` alone would claim every name), then a guess.
struct Classifier {
    known: Vec<(String, String, String)>,
}

impl Classifier {
    fn new<'a>(patterns: impl Iterator<Item = &'a str>) -> Self {
        let mut classifier = Classifier { known: Vec::new() };
        for pattern in patterns {
            classifier.remember(pattern);
        }
        classifier.remember(DEFAULT_PATTERN);
        classifier
    }

    fn remember(&mut self, pattern: &str) {
        if self.known.iter().any(|(p, _, _)| p == pattern) {
            return;
        }
        if let Some((before, after)) = pattern.split_once("%s") {
            self.known
                .push((pattern.to_owned(), before.to_owned(), after.to_owned()));
            self.known
                .sort_by_key(|(_, b, a)| std::cmp::Reverse(b.len() + a.len()));
        }
    }

    /// The pattern of `name` and whether it is a temporary file.
    fn classify(&mut self, name: &str) -> Option<(String, bool)> {
        let (entry_name, is_temp) = match temp_target(name) {
            Some(target) => (target, true),
            None => (name, false),
        };
        let known = self
            .known
            .iter()
            .find(|(_, before, after)| is_entry_name(before, after, entry_name));
        if let Some((pattern, _, _)) = known {
            return Some((pattern.clone(), is_temp));
        }
        let pattern = guess_pattern(entry_name)?;
        self.remember(&pattern);
        Some((pattern, is_temp))
    }
}

/// `PREFIX%sSUFFIX` for a name holding a run of exactly 40 hex digits (a sha1 key) that does
/// not start with `.`.
fn guess_pattern(name: &str) -> Option<String> {
    if name.starts_with('.') {
        return None;
    }
    let bytes = name.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_hexdigit() {
            start += 1;
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_hexdigit())
            .map_or(bytes.len(), |n| start + n);
        if end - start == 40 {
            let pattern = format!("{}%s{}", &name[..start], &name[end..]);
            return (!pattern.contains("%s%s") && pattern.matches("%s").count() == 1)
                .then_some(pattern);
        }
        start = end;
    }
    None
}

/// The quick structural check of [`scan_dir`]: `Some(true)` intact as far as looked,
/// `Some(false)` corrupt, `None` unreadable or vanished.
fn quick_check(path: &Path, len: u64) -> Option<bool> {
    const LOOK: usize = 4096;
    let mut file = open_nofollow(path).ok()?;
    let mut buf = vec![0u8; usize::try_from(len).map_or(LOOK, |l| l.min(LOOK))];
    file.read_exact(&mut buf).ok()?;
    if buf.len() as u64 == len {
        return Some(!matches!(inspect(&buf), Err(Problem::Corrupt(_))));
    }
    Some(match parse_header(&buf) {
        Ok((info, header_len)) => {
            info.code_len.checked_add((header_len + TRAILER_LEN) as u64) == Some(len)
        }
        Err(Problem::Corrupt("truncated")) => true,
        Err(Problem::Foreign) => true,
        Err(Problem::Corrupt(_)) => false,
    })
}

fn lstat_or_vanished(path: &Path) -> Result<Option<fs::Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("inspect cache entry", path, e)),
    }
}

/// Opens a file for reading without following a symlink or waiting on a FIFO.
fn open_nofollow(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    options.open(path)
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
    fn patterns_are_guessed_around_a_sha1_key() {
        let key = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            guess_pattern(&format!("__jinja2_{key}.cache")).as_deref(),
            Some("__jinja2_%s.cache")
        );
        assert_eq!(guess_pattern(key).as_deref(), Some("%s"));
        assert_eq!(
            guess_pattern(&format!("app-{key}")).as_deref(),
            Some("app-%s")
        );
        assert_eq!(guess_pattern("notes.txt"), None);
        assert_eq!(guess_pattern(&format!(".{key}")), None);
        assert_eq!(guess_pattern(&format!("{key}0")), None, "41 digits");
    }

    #[test]
    fn scan_dir_groups_names_by_pattern_and_counts_corrupt_entries() {
        let dir = tempfile::tempdir().unwrap();
        let key_a = "a".repeat(40);
        let key_b = "b".repeat(40);
        fs::write(
            dir.path().join(format!("__jinja2_{key_a}.cache")),
            entry(&key_a, b"x"),
        )
        .unwrap();
        fs::write(
            dir.path().join(format!("__jinja2_{key_b}.cache")),
            &entry(&key_b, b"x")[..30],
        )
        .unwrap();
        fs::write(
            dir.path().join(format!("app-{key_a}.bc")),
            entry(&key_a, b"yy"),
        )
        .unwrap();
        fs::write(dir.path().join(format!(".app-{key_a}.bc.Ab12.tmp")), b"").unwrap();
        fs::write(dir.path().join("README"), b"hello").unwrap();
        let report = scan_dir(dir.path()).unwrap();
        assert_eq!(report.other_files, 1);
        let names: Vec<_> = report.patterns.iter().map(|p| p.pattern.as_str()).collect();
        assert_eq!(names, ["__jinja2_%s.cache", "app-%s.bc"]);
        let jinja = &report.patterns[0];
        assert_eq!((jinja.entries, jinja.corrupt, jinja.temp_files), (2, 1, 0));
        let app = &report.patterns[1];
        assert_eq!((app.entries, app.corrupt, app.temp_files), (1, 0, 1));
        assert!(app.oldest.is_some() && app.oldest == app.newest && app.median == app.oldest);
    }

    #[test]
    fn scan_dir_of_a_missing_directory_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = scan_dir(&missing).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
