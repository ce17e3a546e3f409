//! `bccache`: look after the directories of bccache's filesystem cache, as `ccache -s`,
//! `ccache --evict-older-than` and `ccache -C` do for ccache's.
//!
//! ```text
//! bccache stats [DIR] [--format table|json|prometheus] entries, bytes, ages, counters
//! bccache verify DIR [--pattern P]                     decode every entry, remove corrupt ones
//! bccache prune DIR [--older-than 30d] [--max-size 1GiB] [--pattern P]
//! bccache clear DIR [--pattern P]                      remove every entry
//! ```
//!
//! Without `DIR`, `stats` looks at the safe default directory (`<temp>/_bccache-<uid>`, where
//! `FileSystemBytecodeCache::with_default_dir` keeps its entries). Without `--pattern`, a
//! command acts on every pattern found in the directory: the patterns of its stats files,
//! Jinja2's default `__jinja2_%s.cache`, and any name of the form `PREFIX<40 hex digits>SUFFIX`.
//! Files of no pattern are never touched. Every operation is a public function of the `bccache`
//! crate (`bccache::upkeep::scan_dir`, `FileSystemBytecodeCache::{verify, prune,
//! prune_to_size, clear}`); this command parses arguments and prints.
//!
//! Install it with `cargo install --path bccache-cli`.
//!
//! # Exit codes
//!
//! - `0`: done, nothing wrong found.
//! - `1`: `verify` found corrupt entries (and removed them).
//! - `2`: a usage error (bad arguments) or an I/O error (missing directory, no permission): the
//!   message names the path and says what to do.
//!
//! # Prometheus output (`stats --format prometheus`)
//!
//! The text exposition format, for node_exporter's textfile collector (`promtool check
//! metrics` clean): counters `bccache_hits_total`, `bccache_misses_total`, `bccache_stale_total`,
//! `bccache_rejected_total`, `bccache_errors_total`, `bccache_stores_total`,
//! `bccache_read_bytes_total`, `bccache_written_bytes_total` and gauges `bccache_entries`,
//! `bccache_size_bytes`, one series per pattern labelled `dir` and `pattern`
//! (`bccache::prometheus::Exposition` renders it):
//!
//! ```text
//! bccache stats /var/cache/app --format prometheus > /var/lib/node_exporter/bccache.prom.$$ &&
//!     mv /var/lib/node_exporter/bccache.prom.$$ /var/lib/node_exporter/bccache.prom
//! ```
//!
//! # JSON output (`--json`)
//!
//! Every command prints one JSON object on stdout; errors still go to stderr as text. Fields
//! are only ever added, never renamed or removed; `schema` names the shape and its version.
//! Sizes are bytes, times are Unix seconds (`null` when there is no entry).
//!
//! `stats`:
//! ```text
//! {"schema":"bccache-stats/1","directory":STR,"other_files":N,
//!  "patterns":[{"pattern":STR,"entries":N,"bytes":N,"oldest_mtime":N|null,
//!               "median_mtime":N|null,"newest_mtime":N|null,"corrupt":N,"temp_files":N,
//!               "symlinks":N,"stats":STATS}],
//!  "total":{"entries":N,"bytes":N,"corrupt":N,"temp_files":N,"stats":STATS}}
//! STATS = {"hits":N,"misses":N,"stale":N,"rejected":N,"errors":N,"stores":N,
//!          "bytes_read":N,"bytes_written":N,"lookups":N}
//! ```
//! `verify`:
//! ```text
//! {"schema":"bccache-verify/1","directory":STR,
//!  "patterns":[{"pattern":STR,"entries_checked":N,"entries_kept":N,"bytes_kept":N,
//!               "foreign_kept":N,"corrupt_found":N,"corrupt_removed":N,"bytes_freed":N,
//!               "temp_files_removed":N,"temp_files_kept":N,"symlinks_removed":N,
//!               "corrupt":[STR]}],
//!  "corrupt_found":N}
//! ```
//! `prune`:
//! ```text
//! {"schema":"bccache-prune/1","directory":STR,"older_than_secs":N|null,"max_size":N|null,
//!  "patterns":[{"pattern":STR,"entries_kept":N,"bytes_kept":N,"entries_removed":N,
//!               "bytes_freed":N,"temp_files_removed":N,"symlinks_skipped":N}]}
//! ```
//! `clear`:
//! ```text
//! {"schema":"bccache-clear/1","directory":STR,
//!  "patterns":[{"pattern":STR,"entries_removed":N,"bytes_freed":N}]}
//! ```

mod json;
mod parse;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use bccache::upkeep::{self, DirReport, PruneReport, VerifyReport};
use bccache::{BytecodeCache, CacheStats, FileSystemBytecodeCache};
use clap::{ArgGroup, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use bccache::prometheus::Exposition;

use crate::json::Object;
use crate::parse::{format_age, format_size, parse_duration, parse_size};

const EXIT_CODES: &str = "\
Exit codes:
  0  done, nothing wrong found
  1  verify found corrupt entries (and removed them)
  2  usage or I/O error (the message names the path and says what to do)

--json prints one object on stdout; its schema is in the crate docs of bccache-cli.";

/// Statistics, verification, pruning and clearing of bccache's cache directories.
#[derive(Parser)]
#[command(name = "bccache", version, after_help = EXIT_CODES)]
struct Cli {
    /// Print one JSON object on stdout (a stable, documented schema) instead of a table
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Entries, bytes, ages, corrupt entries, temp files and hit/miss counters per pattern
    Stats {
        /// The cache directory [default: the safe default directory, `<temp>/_bccache-<uid>`]
        dir: Option<PathBuf>,
        /// `table`, `json` (the same as --json) or `prometheus` (the text exposition format,
        /// for node_exporter's textfile collector)
        #[arg(long, value_enum, conflicts_with = "json")]
        format: Option<StatsFormat>,
    },
    /// Decode every entry; remove corrupt entries, stale temp files and symlinked entries
    Verify {
        /// The cache directory
        dir: PathBuf,
        /// Only this file-name pattern (e.g. `__jinja2_%s.cache`) [default: every pattern found]
        #[arg(long)]
        pattern: Option<String>,
    },
    /// Remove entries unused for a while, then the least recently used beyond a size
    #[command(group(ArgGroup::new("limit").required(true).multiple(true).args(["older_than", "max_size"])))]
    Prune {
        /// The cache directory
        dir: PathBuf,
        /// Remove entries not used for this long: `30d`, `12h`, `90m`, `45s`
        #[arg(long, value_parser = parse_duration)]
        older_than: Option<Duration>,
        /// Then remove the least recently used entries until each pattern takes at most this:
        /// `1GiB`, `500 MB`, `4096`
        #[arg(long, value_parser = parse_size)]
        max_size: Option<u64>,
        /// Only this file-name pattern [default: every pattern found]
        #[arg(long)]
        pattern: Option<String>,
    },
    /// Remove every entry (and temp file) of a pattern; other files stay
    Clear {
        /// The cache directory
        dir: PathBuf,
        /// Only this file-name pattern [default: every pattern found]
        #[arg(long)]
        pattern: Option<String>,
    },
}

/// How `bccache stats` prints its report.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StatsFormat {
    Table,
    Json,
    Prometheus,
}

/// Runs the command on this process's arguments and returns its exit code (see the crate docs);
/// what the `bccache` binary does.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("bccache: error: {}", describe(&error));
            if let Some(hint) = hint(&error) {
                eprintln!("bccache: {hint}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> bccache::Result<ExitCode> {
    match cli.command {
        Command::Stats { dir, format } => {
            let report = match dir {
                Some(dir) => scan(&dir)?,
                None => {
                    let dir = FileSystemBytecodeCache::default_dir();
                    if dir.exists() {
                        scan(&dir)?
                    } else {
                        // Nothing cached there yet: an empty report, not an error.
                        let mut report = DirReport::default();
                        report.directory = dir;
                        report
                    }
                }
            };
            let format = match format {
                None if cli.json => StatsFormat::Json,
                None => StatsFormat::Table,
                Some(format) => format,
            };
            match format {
                StatsFormat::Table => println!("{}", stats_table(&report)),
                StatsFormat::Json => println!("{}", stats_json(&report)),
                StatsFormat::Prometheus => print!("{}", stats_prometheus(&report)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { dir, pattern } => {
            let mut reports = Vec::new();
            for pattern in patterns(&dir, pattern)? {
                let cache = FileSystemBytecodeCache::open(&dir, &pattern)?;
                let mut progress = Progress::new("verifying");
                let report = cache.verify_with_progress(&mut |n| progress.tick(n))?;
                progress.finish();
                reports.push((pattern, report));
            }
            let corrupt: u64 = reports.iter().map(|(_, r)| r.corrupt_found).sum();
            println!(
                "{}",
                if cli.json {
                    verify_json(&dir, &reports)
                } else {
                    verify_table(&dir, &reports)
                }
            );
            Ok(if corrupt > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Prune {
            dir,
            older_than,
            max_size,
            pattern,
        } => {
            let mut reports = Vec::new();
            for pattern in patterns(&dir, pattern)? {
                let cache = FileSystemBytecodeCache::open(&dir, &pattern)?;
                let mut report = PruneReport::default();
                if let Some(age) = older_than {
                    report = cache.prune(age)?;
                }
                if let Some(bytes) = max_size {
                    let by_size = cache.prune_to_size(bytes)?;
                    report = combine(&report, &by_size);
                }
                reports.push((pattern, report));
            }
            println!(
                "{}",
                if cli.json {
                    prune_json(&dir, older_than, max_size, &reports)
                } else {
                    prune_table(&dir, &reports)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Clear { dir, pattern } => {
            let before = upkeep::scan_dir(&dir)?;
            let mut cleared = Vec::new();
            for pattern in patterns(&dir, pattern)? {
                let cache = FileSystemBytecodeCache::open(&dir, &pattern)?;
                cache.clear()?;
                let (entries, bytes) = before
                    .patterns
                    .iter()
                    .find(|p| p.pattern == pattern)
                    .map_or((0, 0), |p| (p.entries, p.bytes));
                cleared.push((pattern, entries, bytes));
            }
            println!(
                "{}",
                if cli.json {
                    clear_json(&dir, &cleared)
                } else {
                    clear_table(&dir, &cleared)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn scan(dir: &Path) -> bccache::Result<DirReport> {
    let mut progress = Progress::new("scanning");
    let report = upkeep::scan_dir_with_progress(dir, &mut |n| progress.tick(n));
    progress.finish();
    report
}

/// The one pattern asked for (checked), or every pattern found in `dir`.
fn patterns(dir: &Path, pattern: Option<String>) -> bccache::Result<Vec<String>> {
    match pattern {
        Some(pattern) => {
            // Checks the directory and the pattern before anything is done.
            FileSystemBytecodeCache::open(dir, &pattern)?;
            Ok(vec![pattern])
        }
        None => upkeep::patterns_in(dir),
    }
}

/// Two passes of a prune as one: removals add up, what is kept is what the last pass kept.
fn combine(first: &PruneReport, second: &PruneReport) -> PruneReport {
    let mut out = second.clone();
    out.entries_removed += first.entries_removed;
    out.bytes_freed += first.bytes_freed;
    out.temp_files_removed += first.temp_files_removed;
    out
}

fn describe(error: &bccache::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn hint(error: &bccache::Error) -> Option<&'static str> {
    match error {
        bccache::Error::Io { source, .. } => match source.kind() {
            std::io::ErrorKind::NotFound => Some(
                "check the directory path; `bccache stats` without a directory looks at the \
                 default one",
            ),
            std::io::ErrorKind::PermissionDenied => {
                Some("run as the cache's owner, or fix the directory's permissions")
            }
            _ => None,
        },
        bccache::Error::InvalidPattern { .. } => {
            Some("a pattern looks like `__jinja2_%s.cache`: one `%s` where the key goes")
        }
        _ => None,
    }
}

/// A spinner on stderr once a walk passes a thousand names, and only on a terminal.
struct Progress {
    what: &'static str,
    bar: Option<ProgressBar>,
    enabled: bool,
}

impl Progress {
    const SHOW_AFTER: u64 = 1000;

    fn new(what: &'static str) -> Self {
        Progress {
            what,
            bar: None,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn tick(&mut self, done: u64) {
        if !self.enabled || done < Self::SHOW_AFTER {
            return;
        }
        let what = self.what;
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {pos} files") {
                bar.set_style(style);
            }
            bar.set_message(what);
            bar
        });
        bar.set_position(done);
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
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

fn stats_table(report: &DirReport) -> String {
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
        counters_table(&mut out, &p.stats);
    }
    if report.patterns.len() > 1 {
        out.push('\n');
        line(&mut out, "All patterns", "");
        let entries: u64 = report.patterns.iter().map(|p| p.entries).sum();
        let bytes: u64 = report.patterns.iter().map(|p| p.bytes).sum();
        line(&mut out, "  Entries", entries);
        line(&mut out, "  Size", format_size(bytes));
        counters_table(&mut out, &report.total_stats());
    }
    out.truncate(out.trim_end().len());
    out
}

/// One series per pattern, labelled by directory and pattern.
fn stats_prometheus(report: &DirReport) -> String {
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

fn counters_json(stats: &CacheStats) -> String {
    let mut object = Object::new();
    for (name, value) in stats.fields() {
        object = object.u64(name, value);
    }
    object.u64("lookups", stats.lookups()).finish()
}

fn stats_json(report: &DirReport) -> String {
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
            .raw("stats", &counters_json(&p.stats))
            .finish()
    });
    let sum = |f: fn(&upkeep::PatternReport) -> u64| report.patterns.iter().map(f).sum::<u64>();
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
        .finish()
}

fn verify_table(dir: &Path, reports: &[(String, VerifyReport)]) -> String {
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
        for path in &r.corrupt {
            line(&mut out, "  Corrupt", path.display());
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn verify_json(dir: &Path, reports: &[(String, VerifyReport)]) -> String {
    let patterns = reports.iter().map(|(pattern, r)| {
        let corrupt = json::array(r.corrupt.iter().map(|p| json::string(&p.to_string_lossy())));
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
            .raw("corrupt", &corrupt)
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
        .finish()
}

fn prune_table(dir: &Path, reports: &[(String, PruneReport)]) -> String {
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
    }
    out.truncate(out.trim_end().len());
    out
}

fn prune_json(
    dir: &Path,
    older_than: Option<Duration>,
    max_size: Option<u64>,
    reports: &[(String, PruneReport)],
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
            .finish()
    });
    Object::new()
        .str("schema", "bccache-prune/1")
        .str("directory", &dir.to_string_lossy())
        .opt_u64("older_than_secs", older_than.map(|d| d.as_secs()))
        .opt_u64("max_size", max_size)
        .raw("patterns", &json::array(patterns))
        .finish()
}

fn clear_table(dir: &Path, cleared: &[(String, u64, u64)]) -> String {
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

fn clear_json(dir: &Path, cleared: &[(String, u64, u64)]) -> String {
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
        .finish()
}
