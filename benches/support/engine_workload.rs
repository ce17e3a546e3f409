//! Workloads shared by `benches/engines.rs` and `examples/bench_table.rs`, so that the criterion
//! bench and the README table measure the same thing.

use std::fs;
use std::io;
use std::path::Path;

/// A log classifier's four patterns, with Unicode case folding and classes: e-mail addresses,
/// dates, alarm words, capitalized words. Building their DFA takes tens of milliseconds;
/// deserializing it, a fraction of one.
pub const DFA_PATTERNS: &str = "\
(?i)[a-z]+@[a-z]+\\.[a-z]{2,}
\\d{4}-\\d{2}-\\d{2}
(?i)error|warning|fatal|panic|timeout|exception
\\p{Lu}\\p{Ll}+
";

/// Rules of `pricing_rules.lua` kept in the sampled version: the full file (1,000 rules, 283 KiB)
/// would make every Nth script of the Lua workload enormous.
const RULES_KEPT: usize = 100;

/// The sample scripts of `examples/scripts` as (file name, source), sorted by name, with
/// `pricing_rules.lua` cut down to its first rules (about 29 KiB).
pub fn sample_scripts(root: &Path) -> io::Result<Vec<(String, String)>> {
    let dir = root.join("examples/scripts");
    let mut scripts = Vec::new();
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|ext| ext != "lua") {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut source = fs::read_to_string(&path)?;
        let cut = format!("rules[{}] = function", RULES_KEPT + 1);
        if let Some(at) = source.find(&cut) {
            source.truncate(at);
            source.push_str("return #rules\n");
        }
        scripts.push((name, source));
    }
    scripts.sort();
    if scripts.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no .lua scripts in `{}`", dir.display()),
        ));
    }
    Ok(scripts)
}

/// `n` distinct scripts as (name, source): the samples in turn, each made unique by a first line
/// (so each has its own key and checksum, as the files of a real application do).
pub fn lua_scripts(samples: &[(String, String)], n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let (name, source) = &samples[i % samples.len()];
            (
                format!("scripts/{i:04}/{name}"),
                format!("-- script {i} of {n}\n{source}"),
            )
        })
        .collect()
}
