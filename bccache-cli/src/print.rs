//! The tables and JSON objects the commands print.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bccache::CacheStats;
use bccache::prometheus::Exposition;
use bccache::upkeep::{self, DirReport, PruneReport, SkippedPattern, VerifyReport};

use crate::json::{self, Object};
use crate::parse::{format_age, format_size};

fn skipped_json(skipped: &[SkippedPattern]) -> String {
    json::array(skipped.iter().map(|s| {
        Object::new()
            .str("pattern", &s.pattern)
            .str("reason", &s.reason)
            .finish()
    }))
}

fn paths_json(paths: &[PathBuf]) -> String {
    json::array(paths.iter().map(|p| json::string(&p.to_string_lossy())))
}

const WIDTH: usize = 28;

fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    out.push_str(&format!("{label:<WIDTH$}{value}\n"));
}

fn ago(time: Option<SystemTime>) -> String {
    match time {
        Some(time) => match time.elapsed() {
            Ok(age) => format!("{} ago", format_age(age)),
            Err(_) => "in the future".into(),
        },
        None => "-".into(),
    }
}

fn unix_secs(time: Option<SystemTime>) -> Option<u64> {
    time.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
}

pub(crate) fn stats_table(report: &DirReport) -> String {
    let mut out = String::new();
    line(&mut out, "Cache directory", report.directory.display());
    line(&mut out, "Patterns", report.patterns.len());
    line(&mut out, "Other files (left alone)", report.other_files);
    for p in &report.patterns {
        out.push('\n');
        line(&mut out, "Pattern", &p.pattern);
        line(&mut out, "  Entries", p.entries);
        line(&mut out, "  Size", format_size(p.bytes));
        line(&mut out, "  Oldest entry used", ago(p.oldest));
        line(&mut out, "  Median entry used", ago(p.median));
        line(&mut out, "  Newest entry used", ago(p.newest));
        line(&mut out, "  Corrupt entries", p.corrupt);
        line(&mut out, "  Temp files", p.temp_files);
        if p.symlinks > 0 {
            line(&mut out, "  Symlinks (not followed)", p.symlinks);
        }
        if p.lock_files > 0 {
            line(&mut out, "  Lock files (single flight)", p.lock_files);
        }
        counters_table(&mut out, &p.stats);
    }
    if report.patterns.len() > 1 {
        out.push('\n');
        line(&mut out, "All patterns", "");
        let sum = |f: fn(&upkeep::PatternReport) -> u64| {
            report.patterns.iter().map(f).fold(0, u64::saturating_add)
        };
        let (entries, bytes) = (sum(|p| p.entries), sum(|p| p.bytes));
        line(&mut out, "  Entries", entries);
        line(&mut out, "  Size", format_size(bytes));
        counters_table(&mut out, &report.total_stats());
    }
    out.truncate(out.trim_end().len());
    out
}

fn counters_table(out: &mut String, stats: &CacheStats) {
    let lookups = stats.lookups();
    let share = |n: u64| {
        if lookups == 0 {
            format!("{n}")
        } else {
            format!("{n:<10} {:>6.2} %", n as f64 * 100.0 / lookups as f64)
        }
    };
    line(out, "  Lookups", lookups);
    line(out, "    Hits", share(stats.hits));
    line(out, "    Misses", share(stats.misses));
    line(out, "    Stale", share(stats.stale));
    line(out, "    Rejected", share(stats.rejected));
    line(out, "    Errors", share(stats.errors));
    line(out, "  Stores", stats.stores);
    line(out, "  Bytes read", format_size(stats.bytes_read));
    line(out, "  Bytes written", format_size(stats.bytes_written));
}

/// One series per pattern, labelled by directory and pattern.
pub(crate) fn stats_prometheus(report: &DirReport) -> String {
    let dir = report.directory.to_string_lossy();
    report
        .patterns
        .iter()
        .fold(Exposition::new(), |exposition, p| {
            exposition
                .series(&[("dir", &dir), ("pattern", &p.pattern)], &p.stats)
                .entries(p.entries, p.bytes)
        })
        .render()
}

fn counters_json(stats: &CacheStats) -> String {
    let mut object = Object::new();
    for (name, value) in stats.fields() {
        object = object.u64(name, value);
    }
    object.u64("lookups", stats.lookups()).finish()
}

pub(crate) fn stats_json(report: &DirReport) -> String {
    let patterns = report.patterns.iter().map(|p| {
        Object::new()
            .str("pattern", &p.pattern)
            .u64("entries", p.entries)
            .u64("bytes", p.bytes)
            .opt_u64("oldest_mtime", unix_secs(p.oldest))
            .opt_u64("median_mtime", unix_secs(p.median))
            .opt_u64("newest_mtime", unix_secs(p.newest))
            .u64("corrupt", p.corrupt)
            .u64("temp_files", p.temp_files)
            .u64("symlinks", p.symlinks)
            .u64("lock_files", p.lock_files)
            .raw("stats", &counters_json(&p.stats))
            .finish()
    });
    let sum = |f: fn(&upkeep::PatternReport) -> u64| {
        report.patterns.iter().map(f).fold(0, u64::saturating_add)
    };
    let total = Object::new()
        .u64("entries", sum(|p| p.entries))
        .u64("bytes", sum(|p| p.bytes))
        .u64("corrupt", sum(|p| p.corrupt))
        .u64("temp_files", sum(|p| p.temp_files))
        .raw("stats", &counters_json(&report.total_stats()))
        .finish();
    Object::new()
        .str("schema", "bccache-stats/1")
        .str("directory", &report.directory.to_string_lossy())
        .u64("other_files", report.other_files)
        .raw("patterns", &json::array(patterns))
        .raw("total", &total)
        .raw("skipped_patterns", &skipped_json(&report.skipped_patterns))
        .finish()
}

pub(crate) fn verify_table(dir: &Path, reports: &[(String, VerifyReport)]) -> String {
    let mut out = String::new();
    line(&mut out, "Cache directory", dir.display());
    line(&mut out, "Patterns", reports.len());
    for (pattern, r) in reports {
        out.push('\n');
        line(&mut out, "Pattern", pattern);
        line(&mut out, "  Entries checked", r.entries_checked);
        line(&mut out, "  Intact", r.entries_kept);
        line(&mut out, "  Foreign (kept)", r.foreign_kept);
        line(&mut out, "  Corrupt found", r.corrupt_found);
        line(&mut out, "  Corrupt removed", r.corrupt_removed);
        line(&mut out, "  Bytes freed", format_size(r.bytes_freed));
        line(&mut out, "  Temp files removed", r.temp_files_removed);
        line(&mut out, "  Temp files kept (young)", r.temp_files_kept);
        line(&mut out, "  Symlinks removed", r.symlinks_removed);
        line(&mut out, "  Lock files removed", r.lock_files_removed);
        for path in &r.corrupt {
            line(&mut out, "  Corrupt", path.display());
        }
        for path in &r.unreadable {
            line(&mut out, "  Unreadable (left)", path.display());
        }
    }
    out.truncate(out.trim_end().len());
    out
}

pub(crate) fn verify_json(
    dir: &Path,
    reports: &[(String, VerifyReport)],
    skipped: &[SkippedPattern],
) -> String {
    let patterns = reports.iter().map(|(pattern, r)| {
        Object::new()
            .str("pattern", pattern)
            .u64("entries_checked", r.entries_checked)
            .u64("entries_kept", r.entries_kept)
            .u64("bytes_kept", r.bytes_kept)
            .u64("foreign_kept", r.foreign_kept)
            .u64("corrupt_found", r.corrupt_found)
            .u64("corrupt_removed", r.corrupt_removed)
            .u64("bytes_freed", r.bytes_freed)
            .u64("temp_files_removed", r.temp_files_removed)
            .u64("temp_files_kept", r.temp_files_kept)
            .u64("symlinks_removed", r.symlinks_removed)
            .u64("lock_files_removed", r.lock_files_removed)
            .raw("corrupt", &paths_json(&r.corrupt))
            .raw("unreadable", &paths_json(&r.unreadable))
            .finish()
    });
    Object::new()
        .str("schema", "bccache-verify/1")
        .str("directory", &dir.to_string_lossy())
        .raw("patterns", &json::array(patterns))
        .u64(
            "corrupt_found",
            reports.iter().map(|(_, r)| r.corrupt_found).sum(),
        )
        .raw("skipped_patterns", &skipped_json(skipped))
        .finish()
}

pub(crate) fn prune_table(dir: &Path, reports: &[(String, PruneReport)]) -> String {
    let mut out = String::new();
    line(&mut out, "Cache directory", dir.display());
    line(&mut out, "Patterns", reports.len());
    for (pattern, r) in reports {
        out.push('\n');
        line(&mut out, "Pattern", pattern);
        line(&mut out, "  Entries removed", r.entries_removed);
        line(&mut out, "  Bytes freed", format_size(r.bytes_freed));
        line(&mut out, "  Entries kept", r.entries_kept);
        line(&mut out, "  Size kept", format_size(r.bytes_kept));
        line(&mut out, "  Temp files removed", r.temp_files_removed);
        if r.symlinks_skipped > 0 {
            line(&mut out, "  Symlinks skipped", r.symlinks_skipped);
        }
        if r.lock_files_removed > 0 {
            line(&mut out, "  Lock files removed", r.lock_files_removed);
        }
        for path in &r.unreadable {
            line(&mut out, "  Unreadable (left)", path.display());
        }
    }
    out.truncate(out.trim_end().len());
    out
}

pub(crate) fn prune_json(
    dir: &Path,
    older_than: Option<Duration>,
    max_size: Option<u64>,
    reports: &[(String, PruneReport)],
    skipped: &[SkippedPattern],
) -> String {
    let patterns = reports.iter().map(|(pattern, r)| {
        Object::new()
            .str("pattern", pattern)
            .u64("entries_kept", r.entries_kept)
            .u64("bytes_kept", r.bytes_kept)
            .u64("entries_removed", r.entries_removed)
            .u64("bytes_freed", r.bytes_freed)
            .u64("temp_files_removed", r.temp_files_removed)
            .u64("symlinks_skipped", r.symlinks_skipped)
            .u64("lock_files_removed", r.lock_files_removed)
            .raw("unreadable", &paths_json(&r.unreadable))
            .finish()
    });
    Object::new()
        .str("schema", "bccache-prune/1")
        .str("directory", &dir.to_string_lossy())
        .opt_u64("older_than_secs", older_than.map(|d| d.as_secs()))
        .opt_u64("max_size", max_size)
        .raw("patterns", &json::array(patterns))
        .raw("skipped_patterns", &skipped_json(skipped))
        .finish()
}

pub(crate) fn clear_table(dir: &Path, cleared: &[(String, u64, u64)]) -> String {
    let mut out = String::new();
    line(&mut out, "Cache directory", dir.display());
    for (pattern, entries, bytes) in cleared {
        out.push('\n');
        line(&mut out, "Pattern", pattern);
        line(&mut out, "  Entries removed", entries);
        line(&mut out, "  Bytes freed", format_size(*bytes));
    }
    out.truncate(out.trim_end().len());
    out
}

pub(crate) fn clear_json(
    dir: &Path,
    cleared: &[(String, u64, u64)],
    skipped: &[SkippedPattern],
) -> String {
    let patterns = cleared.iter().map(|(pattern, entries, bytes)| {
        Object::new()
            .str("pattern", pattern)
            .u64("entries_removed", *entries)
            .u64("bytes_freed", *bytes)
            .finish()
    });
    Object::new()
        .str("schema", "bccache-clear/1")
        .str("directory", &dir.to_string_lossy())
        .raw("patterns", &json::array(patterns))
        .raw("skipped_patterns", &skipped_json(skipped))
        .finish()
}
