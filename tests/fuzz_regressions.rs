//! Replays what the `bucket_decode` fuzz target (`fuzz/`) found worth keeping, judged by the
//! same property (`tests/fuzz-regressions/oracle.rs`): every decoder agrees, none panics, and
//! code comes back only for the exact encoding of that code.
//!
//! Inputs live in `tests/fuzz-regressions/` as `hit-<name>.bin` or `miss-<name>.bin`, the name
//! saying which outcome they must keep; the fuzzer's seeds live in `fuzz/seeds/bucket_decode/`.

#[path = "fuzz-regressions/oracle.rs"]
mod oracle;

use std::fs;
use std::path::{Path, PathBuf};

use oracle::Outcome;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file in `dir`, sorted, with its name and bytes.
fn inputs_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut inputs: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("utf-8 file name")
                .to_owned();
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn fuzz_regression_inputs_keep_their_outcome() {
    let dir = manifest_dir().join("tests/fuzz-regressions");
    let inputs: Vec<_> = inputs_in(&dir)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".bin"))
        .collect();
    assert!(
        inputs.len() >= 10,
        "expected the kept fuzz inputs in {}, found {}",
        dir.display(),
        inputs.len()
    );
    let mut hits = 0;
    for (name, bytes) in &inputs {
        let outcome = oracle::check(bytes);
        match (name.split('-').next(), &outcome) {
            (Some("hit"), Outcome::Hit(_)) => hits += 1,
            (Some("miss"), Outcome::Miss) => {}
            _ => panic!("{name}: now {outcome:?}"),
        }
    }
    println!(
        "replayed {} kept fuzz inputs ({hits} hits, {} misses)",
        inputs.len(),
        inputs.len() - hits
    );
}

#[test]
fn fuzz_seeds_are_the_valid_encodings_and_hit() {
    // BCCACHE_WRITE_FUZZ_SEEDS=1 rewrites the seed directory after a format change.
    let dir = manifest_dir().join("fuzz/seeds/bucket_decode");
    let seeds = oracle::seeds();
    if std::env::var_os("BCCACHE_WRITE_FUZZ_SEEDS").is_some() {
        fs::create_dir_all(&dir).expect("create the seed directory");
        for (name, bytes) in &seeds {
            fs::write(dir.join(name), bytes).expect("write a seed");
        }
    }
    let on_disk = inputs_in(&dir);
    let mut expected = seeds.clone();
    expected.sort();
    assert_eq!(
        on_disk.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        expected.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "fuzz seeds out of date: rerun with BCCACHE_WRITE_FUZZ_SEEDS=1"
    );
    for ((name, bytes), (_, wanted)) in on_disk.iter().zip(&expected) {
        assert_eq!(bytes, wanted, "seed {name} out of date");
        assert!(
            matches!(oracle::check(bytes), Outcome::Hit(_)),
            "seed {name} is not a hit"
        );
    }
    println!(
        "checked {} fuzz seeds: all valid encodings, all hits",
        seeds.len()
    );
}

#[test]
fn hand_made_edge_inputs_hold_the_property() {
    // Short and degenerate inputs in every mode, and the framed mode with lying lengths.
    let mut checked = 0;
    for mode in 0u8..4 {
        for choice in [0x00u8, 0x3f, 0x2a] {
            let first = (mode << 6) | choice;
            for body in [&b""[..], b"\0", &[0xff; 8], &[0; 9], &[0xff; 300]] {
                for second in [choice, choice ^ 0x01, choice | 0xc0] {
                    let mut input = vec![first, second];
                    input.extend_from_slice(body);
                    oracle::check(&input);
                    checked += 1;
                }
            }
            for lie in [1u64, 7, u64::MAX, 1 << 40] {
                let mut input = vec![(3 << 6) | choice, choice];
                input.extend_from_slice(&lie.to_le_bytes());
                input.extend_from_slice(b"abc");
                assert_eq!(
                    oracle::check(&input),
                    Outcome::Miss,
                    "length {lie} over 3 bytes"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(oracle::check(&[]), Outcome::Miss);
    assert_eq!(oracle::check(&[0xc0]), Outcome::Miss);
    println!("checked {} hand-made edge inputs", checked + 2);
}
