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
//! `FileSystemBytecodeCache::with_default_dir` keeps its entries), after the same checks the
//! library makes (ours, a real directory, mode 0700). Without `--pattern`, `verify`, `prune`
//! and `clear` act on the patterns the directory's stats files record; a recorded pattern that
//! is not valid is reported on stderr and skipped. `stats` also shows patterns guessed from
//! names (`PREFIX<40 hex digits>SUFFIX`), for display only. A file is removed only when it is
//! provably bccache's (see `bccache::upkeep`); files of no pattern are never touched, and an
//! unreadable entry is reported and left. Every operation is a public function of the `bccache`
//! crate (`bccache::upkeep::scan_dir`, `FileSystemBytecodeCache::{verify, prune,
//! prune_to_size, clear_with_report}`); this command parses arguments and prints.
//!
//! # Remote caches
//!
//! Every command also takes the location of an HTTP (WebDAV) or S3 cache in place of `DIR`
//! (features `http`, `s3` and `https`, on by default):
//!
//! ```text
//! bccache stats http://cache.internal:8080/bytecode/?layout=subdirs
//! bccache prune 's3://bucket/app/?endpoint=http://127.0.0.1:9000&region=eu-west-1' \
//!     --older-than 30d --max-size 10GiB
//! ```
//!
//! HTTP caches are listed with WebDAV `PROPFIND` (nginx: the dav-ext module), S3 caches with
//! `ListObjectsV2`, credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN` (none: anonymous, which can list and read a public bucket only).
//! `https://` servers (and S3 endpoints) must show a certificate for their name from a root
//! the platform trusts, or from the CA file `SSL_CERT_FILE` names.
//! `prune` removes the least recently used first, by `Last-Modified` (a hit refreshes an
//! entry older than a day). Only provable entries are removed (see
//! `bccache::upkeep::remote`). `verify`, `prune` and `clear` keep 8 requests in flight
//! (`--jobs 1` to `--jobs 8`). The output is a directory's, with the location as `directory`
//! and the store's naming (`subdirs`, `app/%s`) as its one pattern; `--pattern` is refused.
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
//!               "symlinks":N,"lock_files":N,"stats":STATS}],
//!  "total":{"entries":N,"bytes":N,"corrupt":N,"temp_files":N,"stats":STATS},
//!  "skipped_patterns":[{"pattern":STR,"reason":STR}]}
//! STATS = {"hits":N,"misses":N,"stale":N,"rejected":N,"errors":N,"stores":N,
//!          "bytes_read":N,"bytes_written":N,"lookups":N}
//! ```
//! `verify`:
//! ```text
//! {"schema":"bccache-verify/1","directory":STR,
//!  "patterns":[{"pattern":STR,"entries_checked":N,"entries_kept":N,"bytes_kept":N,
//!               "foreign_kept":N,"corrupt_found":N,"corrupt_removed":N,"bytes_freed":N,
//!               "temp_files_removed":N,"temp_files_kept":N,"symlinks_removed":N,
//!               "lock_files_removed":N,"corrupt":[STR],"unreadable":[STR]}],
//!  "corrupt_found":N,"skipped_patterns":[{"pattern":STR,"reason":STR}]}
//! ```
//! `prune`:
//! ```text
//! {"schema":"bccache-prune/1","directory":STR,"older_than_secs":N|null,"max_size":N|null,
//!  "patterns":[{"pattern":STR,"entries_kept":N,"bytes_kept":N,"entries_removed":N,
//!               "bytes_freed":N,"temp_files_removed":N,"symlinks_skipped":N,
//!               "lock_files_removed":N,"unreadable":[STR]}],
//!  "skipped_patterns":[{"pattern":STR,"reason":STR}]}
//! ```
//! `clear`:
//! ```text
//! {"schema":"bccache-clear/1","directory":STR,
//!  "patterns":[{"pattern":STR,"entries_removed":N,"bytes_freed":N}],
//!  "skipped_patterns":[{"pattern":STR,"reason":STR}]}
//! ```

mod json;
mod parse;
mod print;
#[cfg(any(feature = "http", feature = "s3"))]
mod remote;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bccache::FileSystemBytecodeCache;
use bccache::upkeep::{self, DirReport, PruneReport, SkippedPattern};
use clap::{ArgGroup, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::parse::{parse_duration, parse_size};
use crate::print::{
    clear_json, clear_table, prune_json, prune_table, stats_json, stats_prometheus, stats_table,
    verify_json, verify_table,
};

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

    /// Requests in flight at once on a remote cache (`http(s)://`, `s3://`): 1 to 8, the
    /// connections a store keeps to a server [default: 8]
    #[arg(long, global = true, value_parser = clap::value_parser!(u8).range(1..=8))]
    jobs: Option<u8>,

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
    #[cfg(any(feature = "http", feature = "s3"))]
    if let Some(location) = remote::location(&cli.command) {
        return remote::run(cli.command, &location, cli.json, cli.jobs);
    }
    // A directory is read by one process: `--jobs` is for remote caches.
    let _ = cli.jobs;
    match cli.command {
        Command::Stats { dir, format } => {
            let report = match dir {
                Some(dir) => scan(&dir)?,
                None => match upkeep::checked_default_dir()? {
                    Some(dir) => scan(&dir)?,
                    None => {
                        // Nothing cached there yet: an empty report, not an error.
                        let mut report = DirReport::default();
                        report.directory = FileSystemBytecodeCache::default_dir();
                        report
                    }
                },
            };
            warn_skipped(&report.skipped_patterns);
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
            let (patterns, skipped) = patterns(&dir, pattern)?;
            for pattern in patterns {
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
                    verify_json(&dir, &reports, &skipped)
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
            let (patterns, skipped) = patterns(&dir, pattern)?;
            for pattern in patterns {
                let cache = FileSystemBytecodeCache::open(&dir, &pattern)?;
                let mut report = PruneReport::default();
                if let Some(age) = older_than {
                    report = cache.prune(age)?;
                }
                if let Some(bytes) = max_size {
                    report = report.then(&cache.prune_to_size(bytes)?);
                }
                reports.push((pattern, report));
            }
            println!(
                "{}",
                if cli.json {
                    prune_json(&dir, older_than, max_size, &reports, &skipped)
                } else {
                    prune_table(&dir, &reports)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Clear { dir, pattern } => {
            let mut cleared = Vec::new();
            let (patterns, skipped) = patterns(&dir, pattern)?;
            for pattern in patterns {
                let cache = FileSystemBytecodeCache::open(&dir, &pattern)?;
                let report = cache.clear_with_report()?;
                cleared.push((pattern, report.entries_removed, report.bytes_freed));
            }
            println!(
                "{}",
                if cli.json {
                    clear_json(&dir, &cleared, &skipped)
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

/// The one pattern asked for (checked), or the patterns `dir`'s stats files record; and the
/// recorded patterns skipped as invalid, each reported on stderr.
fn patterns(
    dir: &Path,
    pattern: Option<String>,
) -> bccache::Result<(Vec<String>, Vec<SkippedPattern>)> {
    match pattern {
        Some(pattern) => {
            // Checks the directory and the pattern before anything is done.
            FileSystemBytecodeCache::open(dir, &pattern)?;
            Ok((vec![pattern], Vec::new()))
        }
        None => {
            let (patterns, skipped) = upkeep::recorded_patterns(dir)?;
            warn_skipped(&skipped);
            Ok((patterns, skipped))
        }
    }
}

fn warn_skipped(skipped: &[SkippedPattern]) {
    for s in skipped {
        eprintln!(
            "bccache: skipped the pattern {:?} of a stats file: {}",
            s.pattern, s.reason
        );
    }
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
