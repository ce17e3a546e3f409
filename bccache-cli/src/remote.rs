//! The commands on a remote cache (`http://..`, `s3://..`), through
//! `bccache::upkeep::remote::RemoteCache`; printed as for a directory, with the location in
//! place of the directory and the store's naming (`subdirs`, `prefix%s`) as its one pattern.

use std::path::Path;
use std::process::ExitCode;

use bccache::upkeep::remote::RemoteCache;
use bccache::upkeep::{PruneReport, VerifyReport};

use crate::print::{
    clear_json, clear_table, prune_json, prune_table, stats_json, stats_prometheus, stats_table,
    verify_json, verify_table,
};
use crate::{Command, Progress, StatsFormat};

/// The remote location a command names, if it names one.
pub(crate) fn location(command: &Command) -> Option<String> {
    let path = match command {
        Command::Stats { dir, .. } => dir.as_deref()?,
        Command::Verify { dir, .. } | Command::Prune { dir, .. } | Command::Clear { dir, .. } => {
            dir.as_path()
        }
    };
    let text = path.to_str()?;
    bccache::upkeep::remote::is_remote(text).then(|| text.to_owned())
}

/// Runs `command` on the remote cache at `location`, `jobs` requests at once (else the
/// library's default).
pub(crate) fn run(
    command: Command,
    location: &str,
    json: bool,
    jobs: Option<u8>,
) -> bccache::Result<ExitCode> {
    let mut cache = RemoteCache::open(location)?;
    if let Some(jobs) = jobs {
        cache = cache.parallel_requests(usize::from(jobs));
    }
    let shown = cache.location();
    let dir = Path::new(&shown);
    match command {
        Command::Stats { format, .. } => {
            let mut progress = Progress::new("listing");
            let report = cache.scan(&mut |n| progress.tick(n));
            progress.finish();
            let report = report?;
            match format {
                Some(StatsFormat::Prometheus) => print!("{}", stats_prometheus(&report)),
                Some(StatsFormat::Json) => println!("{}", stats_json(&report)),
                None if json => println!("{}", stats_json(&report)),
                _ => println!("{}", stats_table(&report)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { pattern, .. } => {
            refuse_pattern(pattern.as_deref())?;
            let mut progress = Progress::new("verifying");
            let report = cache.verify(&mut |n| progress.tick(n));
            progress.finish();
            let reports: Vec<(String, VerifyReport)> = vec![(cache.naming(), report?)];
            let corrupt = reports[0].1.corrupt_found;
            println!(
                "{}",
                if json {
                    verify_json(dir, &reports, &[])
                } else {
                    verify_table(dir, &reports)
                }
            );
            Ok(if corrupt > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Prune {
            older_than,
            max_size,
            pattern,
            ..
        } => {
            refuse_pattern(pattern.as_deref())?;
            let mut progress = Progress::new("pruning");
            let report = cache.prune(older_than, max_size, &mut |n| progress.tick(n));
            progress.finish();
            let reports: Vec<(String, PruneReport)> = vec![(cache.naming(), report?)];
            println!(
                "{}",
                if json {
                    prune_json(dir, older_than, max_size, &reports, &[])
                } else {
                    prune_table(dir, &reports)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Clear { pattern, .. } => {
            refuse_pattern(pattern.as_deref())?;
            let mut progress = Progress::new("clearing");
            let report = cache.clear(&mut |n| progress.tick(n));
            progress.finish();
            let report = report?;
            let cleared = vec![(cache.naming(), report.entries_removed, report.bytes_freed)];
            println!(
                "{}",
                if json {
                    clear_json(dir, &cleared, &[])
                } else {
                    clear_table(dir, &cleared)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--pattern` names file patterns of a directory; a remote store has its layout instead.
fn refuse_pattern(pattern: Option<&str>) -> bccache::Result<()> {
    match pattern {
        None => Ok(()),
        Some(pattern) => Err(bccache::Error::InvalidPattern {
            pattern: pattern.to_owned(),
            reason: "`--pattern` is for directories; a remote cache's location names its \
                     entries (`?layout=` for http, the prefix for s3)",
        }),
    }
}
