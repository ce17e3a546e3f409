//! Replays what the reply fuzz targets (`fuzz/`: `memcached_reply`, `redis_reply`) found worth
//! keeping, and their seeds, judged by the same properties
//! (`tests/reply-fuzz-regressions/oracle.rs`): no panic, no value over the bound, and each
//! kept input or seed keeps its outcome (`ok-*` parses whole, anything else is refused or
//! incomplete).

#[path = "reply-fuzz-regressions/oracle.rs"]
mod oracle;

use std::fs;
use std::path::{Path, PathBuf};

fn inputs_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut inputs: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn kept_memcached_replies_keep_their_outcome() {
    let kept = inputs_in(&root().join("tests/reply-fuzz-regressions/memcached_reply"));
    assert!(kept.len() >= 5, "the kept inputs are missing");
    for (name, bytes) in kept {
        assert_eq!(oracle::memcached(&bytes), name.starts_with("ok-"), "{name}");
    }
    for (name, bytes) in inputs_in(&root().join("fuzz/seeds/memcached_reply")) {
        assert_eq!(oracle::memcached(&bytes), name.starts_with("ok-"), "{name}");
    }
}

#[test]
fn kept_redis_replies_keep_their_outcome() {
    let kept = inputs_in(&root().join("tests/reply-fuzz-regressions/redis_reply"));
    assert!(kept.len() >= 4, "the kept inputs are missing");
    for (name, bytes) in kept {
        assert_eq!(oracle::redis(&bytes), name.starts_with("ok-"), "{name}");
    }
    for (name, bytes) in inputs_in(&root().join("fuzz/seeds/redis_reply")) {
        assert_eq!(oracle::redis(&bytes), name.starts_with("ok-"), "{name}");
    }
}
