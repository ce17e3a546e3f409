//! `DfaCompiler`: dense DFAs loaded from a real filesystem cache match exactly like freshly
//! built ones, and every bad entry is built again.
#![cfg(feature = "regex")]

use std::fs;
use std::path::Path;

use bccache::engine::regex::DfaCompiler;
use bccache::engine::regex::regex_automata::dfa::{Automaton, dense};
use bccache::engine::regex::regex_automata::util::syntax;
use bccache::engine::regex::regex_automata::{Input, MatchKind};
use bccache::{
    BytecodeCache, CachedLoader, Compiler, Environment, FileSystemBytecodeCache, LoadError, Origin,
};

/// A log classifier: one pattern per line, Unicode classes included.
const RULES: &str = "\
\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}
(?i)error|fatal|panic
[a-zA-Z0-9.+-]+@[a-zA-Z0-9-]+\\.[a-zA-Z0-9.]+

(?-u:\\b)(?:GET|POST|PUT|DELETE) /[a-z0-9/._-]*
\\p{Greek}+
";

const HAYSTACKS: &[&str] = &[
    "2026-11-25T20:06:01 boot",
    "kernel: FATAL exception",
    "mail admin@example.org now",
    "\"POST /api/v1/items HTTP/1.1\"",
    "λόγος",
    "nothing to see",
    "",
];

fn cache_in(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__dfa_%s.cache").expect("cache in a temp dir")
}

/// Every match, overlapping or not, as (pattern, end) per haystack.
fn matches(dfa: &impl Automaton) -> Vec<Option<(usize, usize)>> {
    HAYSTACKS
        .iter()
        .map(|haystack| {
            dfa.try_search_fwd(&Input::new(haystack))
                .expect("search runs")
                .map(|half| (half.pattern().as_usize(), half.offset()))
        })
        .collect()
}

#[test]
fn cached_dfa_matches_like_freshly_built() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()));
    let fresh = loader
        .compiler()
        .compile("rules", None, RULES)
        .expect("builds");

    let first = loader
        .load_with_origin("rules", None, RULES)
        .expect("builds");
    let cached = loader
        .load_with_origin("rules", None, RULES)
        .expect("loads");
    assert_eq!(first.origin, Origin::Compiled);
    assert_eq!(cached.origin, Origin::Cache);
    assert_eq!(matches(&cached.code), matches(&fresh));
    assert_eq!(
        loader.compiler().to_bytecode(&cached.code),
        loader.compiler().to_bytecode(&fresh)
    );
    // Pattern IDs count the non-empty lines only.
    assert_eq!(
        matches(&cached.code),
        vec![
            Some((0, 19)),
            Some((1, 13)),
            Some((2, 22)),
            Some((3, 19)),
            Some((4, 10)),
            None,
            None
        ]
    );
}

#[test]
fn a_new_loader_on_the_same_directory_skips_the_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()))
        .load("rules", Some("rules.txt"), RULES)
        .expect("builds");

    let restarted = CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()));
    let loaded = restarted
        .load_with_origin("rules", Some("rules.txt"), RULES)
        .expect("loads");
    assert_eq!(loaded.origin, Origin::Cache);
    assert_eq!(matches(&loaded.code)[1], Some((1, 13)));
}

#[test]
fn unaligned_bytecode_still_loads() {
    let compiler = DfaCompiler::new();
    let dfa = compiler.compile("rules", None, RULES).expect("builds");
    let bytes = compiler.to_bytecode(&dfa);
    // Put the bytes at every offset of a 4-byte word: from_bytecode must realign them itself.
    for shift in 0..4 {
        let mut shifted = vec![0u8; shift];
        shifted.extend_from_slice(&bytes);
        // SAFETY: `DfaCompiler::from_bytecode` validates any bytes.
        let loaded = unsafe { compiler.from_bytecode(&shifted[shift..]) }
            .unwrap_or_else(|| panic!("loads at shift {shift}"));
        assert_eq!(matches(&loaded), matches(&dfa));
    }
}

#[test]
fn truncated_or_padded_dfa_bytecode_is_rejected() {
    let compiler = DfaCompiler::new();
    let bytes = compiler.to_bytecode(&compiler.compile("rules", None, RULES).expect("builds"));
    let mut padded = bytes.clone();
    padded.extend_from_slice(&[0; 4]);
    // SAFETY: `DfaCompiler::from_bytecode` validates any bytes.
    unsafe {
        assert!(compiler.from_bytecode(&bytes[..bytes.len() - 4]).is_none());
        assert!(compiler.from_bytecode(&bytes[..bytes.len() / 2]).is_none());
        assert!(compiler.from_bytecode(&[]).is_none());
        assert!(compiler.from_bytecode(&padded).is_none());
    }
}

#[test]
fn corrupt_dfa_bytecode_is_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()));
    // A well-formed entry (right key, checksum and engine) whose DFA is cut short.
    let good = loader.compiler().to_bytecode(
        &loader
            .compiler()
            .compile("rules", None, RULES)
            .expect("builds"),
    );
    let mut bucket = loader
        .cache()
        .get_bucket(loader.compiler(), "rules", None, RULES)
        .expect("bucket");
    bucket.code = Some(good[..good.len() - 16].to_vec());
    loader.cache().set_bucket(&bucket).expect("stored");

    let loaded = loader
        .load_with_origin("rules", None, RULES)
        .expect("builds");
    assert_eq!(loaded.origin, Origin::Compiled);
    assert_eq!(matches(&loaded.code)[2], Some((2, 22)));
    let again = loader
        .load_with_origin("rules", None, RULES)
        .expect("loads");
    assert_eq!(again.origin, Origin::Cache);
}

#[test]
fn invalid_pattern_is_a_compile_error_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()));
    let error = loader
        .load("bad", None, "ok\n(unclosed")
        .expect_err("does not build");
    assert!(matches!(&error, LoadError::Compile { name, .. } if name == "bad"));
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn dfa_built_with_other_options_is_a_miss() {
    let dir = tempfile::tempdir().expect("temp dir");
    let default = CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()));
    default.load("rules", None, "abc\nab").expect("builds");

    let all_matches = CachedLoader::new(
        DfaCompiler::with_config(
            dense::Config::new().match_kind(MatchKind::All),
            syntax::Config::new(),
        ),
        cache_in(dir.path()),
    );
    assert_ne!(
        all_matches.compiler().fingerprint(),
        default.compiler().fingerprint()
    );
    let loaded = all_matches
        .load_with_origin("rules", None, "abc\nab")
        .expect("builds");
    assert_eq!(loaded.origin, Origin::Compiled);
    let insensitive = DfaCompiler::with_config(
        dense::Config::new(),
        syntax::Config::new().case_insensitive(true),
    );
    assert_ne!(insensitive.fingerprint(), default.compiler().fingerprint());
}

#[test]
fn one_dfa_loader_serves_many_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = CachedLoader::new(DfaCompiler::new(), cache_in(dir.path()));
    let sets: Vec<String> = (0..6)
        .map(|i| format!("item-{i}-[0-9]+\n(?i)key{i}=[a-z]+"))
        .collect();

    std::thread::scope(|scope| {
        for _ in 0..4 {
            let (loader, sets) = (&loader, &sets);
            scope.spawn(move || {
                for _round in 0..3 {
                    for (i, set) in sets.iter().enumerate() {
                        let dfa = loader.load(&format!("set-{i}"), None, set).expect("loads");
                        let found = dfa
                            .try_search_fwd(&Input::new(&format!("KEY{i}=abc")))
                            .expect("search runs")
                            .expect("a match");
                        assert_eq!(found.pattern().as_usize(), 1);
                    }
                }
            });
        }
    });
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), sets.len());
}
