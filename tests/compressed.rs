//! `Compressed` around real stores (files in a temp dir, a real memcached): round trips, no
//! mixing with plain or other-level entries, and every bad payload below it is a miss.
#![cfg(feature = "zstd")]

mod support;

use bccache::{BytecodeCache, Compressed, Error, Lookup};
use support::below::{on_each_store, payload_below, plant};
use support::fs::{load, store};

const SOURCE: &str = "{% for item in items %}<li>{{ item }}</li>{% endfor %}";

/// Code that compresses well, as real bytecode does (repeated opcodes and names).
fn code(len: usize) -> Vec<u8> {
    b"GETGLOBAL print; LOADK 'item'; CALL 2 1; "
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

#[test]
fn round_trip_through_each_store_keeps_entries_small() {
    on_each_store(|store_name, inner| {
        let cache = Compressed::new(inner, 3).expect("level 3");
        let code = code(200_000);
        assert_eq!(load(&cache, "list.html", SOURCE), None, "{store_name}");
        store(&cache, "list.html", SOURCE, &code).expect("store");
        assert!(
            load(&cache, "list.html", SOURCE) == Some(code.clone()),
            "{store_name}"
        );

        // Two misses: the first load, and the one `store` makes before it stores.
        let stats = cache.stats().expect("built-in stores count");
        assert_eq!(
            (stats.hits, stats.misses, stats.stores),
            (1, 2, 1),
            "{store_name}"
        );
        assert!(
            stats.bytes_written < code.len() as u64 / 20,
            "{store_name}: {} bytes written for {} bytes of code",
            stats.bytes_written,
            code.len()
        );
        // A stale source is still a miss.
        assert_eq!(
            load(&cache, "list.html", "{{ other }}"),
            None,
            "{store_name}"
        );
    });
}

#[test]
fn compressed_and_plain_entries_never_hit_each_other() {
    on_each_store(|store_name, inner| {
        let compressed = Compressed::new(inner, 3).expect("level 3");

        store(inner, "page.html", SOURCE, b"plain code").expect("store plain");
        assert_eq!(load(&compressed, "page.html", SOURCE), None, "{store_name}");

        store(&compressed, "page.html", SOURCE, b"compressed code").expect("store");
        assert_eq!(load(inner, "page.html", SOURCE), None, "{store_name}");
        assert_eq!(
            load(&compressed, "page.html", SOURCE).as_deref(),
            Some(&b"compressed code"[..])
        );
    });
}

#[test]
fn two_levels_never_hit_each_other() {
    on_each_store(|store_name, inner| {
        let fast = Compressed::new(inner, 1).expect("level 1");
        let small = Compressed::new(inner, 19).expect("level 19");
        store(&fast, "page.html", SOURCE, &code(10_000)).expect("store");
        assert_eq!(load(&small, "page.html", SOURCE), None, "{store_name}");
        store(&small, "page.html", SOURCE, &code(10_000)).expect("store");
        assert_eq!(load(&fast, "page.html", SOURCE), None, "{store_name}");
        assert!(load(&small, "page.html", SOURCE) == Some(code(10_000)));
    });
}

#[test]
fn corrupted_payload_with_a_valid_trailer_is_a_miss() {
    on_each_store(|store_name, inner| {
        let cache = Compressed::new(inner, 3).expect("level 3");
        let fingerprint = cache.inner_fingerprint(&());
        store(&cache, "page.html", SOURCE, &code(50_000)).expect("store");
        let payload = payload_below(inner, &fingerprint, "page.html", SOURCE)
            .expect("the wrapper's entry, read below it");

        let before = cache.stats().expect("counts");
        let middle = payload.len() / 2;
        let mut flipped = payload.clone();
        flipped[middle] ^= 0x40;
        let truncated = payload[..middle].to_vec();
        let mut garbage = payload[..8].to_vec();
        garbage.extend_from_slice(b"this is not a zstd frame at all");
        let cases = [
            ("a flipped byte", flipped),
            ("a truncated frame", truncated),
            ("no zstd frame", garbage),
            ("no length", payload[..5].to_vec()),
        ];
        for (what, bad) in cases {
            plant(inner, &fingerprint, "page.html", SOURCE, bad);
            assert!(
                load(&cache, "page.html", SOURCE).is_none(),
                "{store_name}: {what}"
            );
        }
        let stats = cache.stats().expect("counts");
        assert_eq!(stats.hits, before.hits, "{store_name}");
        assert_eq!(stats.rejected, before.rejected + 4, "{store_name}");

        // The intact payload, planted back, is a hit again: the checks above were the payload's.
        plant(inner, &fingerprint, "page.html", SOURCE, payload);
        assert!(load(&cache, "page.html", SOURCE) == Some(code(50_000)));
    });
}

#[test]
fn a_decompression_bomb_is_a_miss() {
    on_each_store(|store_name, inner| {
        let cache = Compressed::new(inner, 3).expect("level 3");
        let fingerprint = cache.inner_fingerprint(&());
        // 16 MiB of zeros compress to a few KiB: a bomb once its declared length is small.
        let huge = vec![0u8; 16 << 20];
        store(&cache, "bomb.html", SOURCE, &huge).expect("store");
        drop(huge);
        let payload = payload_below(inner, &fingerprint, "bomb.html", SOURCE).expect("entry");
        assert!(
            payload.len() < 64 << 10,
            "{store_name}: {} bytes",
            payload.len()
        );

        for declared in [0u64, 1_000, (16 << 20) - 1] {
            let mut bomb = payload.clone();
            bomb[..8].copy_from_slice(&declared.to_le_bytes());
            plant(inner, &fingerprint, "bomb.html", SOURCE, bomb);
            assert!(
                load(&cache, "bomb.html", SOURCE).is_none(),
                "{store_name}: declared {declared}"
            );
        }
        // Declared larger than the cap: refused before anything is allocated.
        let mut over = payload.clone();
        over[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        plant(inner, &fingerprint, "bomb.html", SOURCE, over);
        assert_eq!(load(&cache, "bomb.html", SOURCE), None, "{store_name}");
    });
}

/// A zstd frame of `len` zeros (a multiple of 128 KiB) as RLE blocks of 4 bytes each,
/// declaring its content size: 1 GiB in 32 KiB.
fn zero_frame(len: u64) -> Vec<u8> {
    const BLOCK: u64 = 128 << 10;
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0xe0];
    frame.extend_from_slice(&len.to_le_bytes());
    let blocks = len / BLOCK;
    for at in 0..blocks {
        let header = u32::from(at + 1 == blocks) | (1 << 1) | ((BLOCK as u32) << 3);
        frame.extend_from_slice(&header.to_le_bytes()[..3]);
        frame.push(0);
    }
    frame
}

/// `declared` (the payload's length prefix), then `frame`.
fn payload(declared: u64, frame: &[u8]) -> Vec<u8> {
    [&declared.to_le_bytes()[..], frame].concat()
}

/// The hostile payloads of the probe: a 32 KiB frame of 1 GiB declared as 1 GiB, the same
/// frame declared small, and 18 bytes declaring 1 GiB.
fn hostile_payloads() -> Vec<(&'static str, Vec<u8>)> {
    let bomb = zero_frame(1 << 30);
    let mut head = vec![0x28, 0xb5, 0x2f, 0xfd, 0xa0];
    head.extend_from_slice(&(1u32 << 30).to_le_bytes());
    head.push(0);
    vec![
        ("1 GiB bomb declared 1 GiB", payload(1 << 30, &bomb)),
        ("1 GiB bomb declared 16 MiB", payload(16 << 20, &bomb)),
        ("18 bytes declaring 1 GiB", payload(1 << 30, &head)),
    ]
}

/// The process's peak resident memory so far, in KiB.
fn peak_rss_kib() -> i64 {
    // SAFETY: `getrusage` only writes the `rusage` it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    usage.ru_maxrss
}

/// The child's part: limits its address space to what it uses now plus 768 MiB (an up-front
/// reservation of 1 GiB aborts), loads every hostile payload through a plain and a signed
/// stack, and prints how much its peak resident memory grew.
fn load_hostile_payloads_in_this_process() {
    let status = std::fs::read_to_string("/proc/self/status").expect("own status");
    let vm_kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmSize:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmSize in /proc/self/status");
    let limit = (vm_kib << 10) + (768 << 20);
    let rlimit = libc::rlimit {
        rlim_cur: limit,
        rlim_max: limit,
    };
    // SAFETY: `setrlimit` only reads the `rlimit` it is given.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &rlimit) }, 0);

    let dir = tempfile::tempdir().expect("temp dir");
    let inner = bccache::FileSystemBytecodeCache::new(dir.path(), "__bomb_%s.cache").expect("fs");
    let plain = Compressed::new(&inner, 3).expect("level 3");
    let before = peak_rss_kib();
    for (what, bytes) in hostile_payloads() {
        plant(
            &inner,
            &plain.inner_fingerprint(&()),
            "bomb.html",
            SOURCE,
            bytes.clone(),
        );
        assert_eq!(load(&plain, "bomb.html", SOURCE), None, "{what}");
        #[cfg(feature = "signed")]
        {
            let signed =
                Compressed::new(bccache::Signed::new(&inner, &[0x5a; 32]).expect("key"), 3)
                    .expect("level 3");
            let below_compression = support::below::Fingerprint(signed.inner_fingerprint(&()));
            let below_mac = signed.inner().inner_fingerprint(&below_compression);
            // Signed with a key id nobody accepts: refused before the frame is looked at.
            let mut forged = bytes;
            forged.extend_from_slice(&[0; 40]);
            plant(&inner, &below_mac, "bomb.html", SOURCE, forged);
            assert_eq!(load(&signed, "bomb.html", SOURCE), None, "signed: {what}");
        }
    }
    println!("peak growth KiB: {}", peak_rss_kib() - before);
}

#[test]
fn hostile_payloads_are_misses_that_cost_bounded_memory() {
    use support::child::{child_command, child_instructions, spawn, wait_with_deadline};
    const TEST: &str = "hostile_payloads_are_misses_that_cost_bounded_memory";
    if child_instructions().is_some() {
        load_hostile_payloads_in_this_process();
        return;
    }
    let output = wait_with_deadline(
        spawn(child_command(TEST, "load")),
        std::time::Duration::from_secs(120),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // The line follows the harness's "test ... " on the same line.
    let growth: i64 = stdout
        .split("peak growth KiB: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the child's measurement in:\n{stdout}"));
    // The decode limit is 64 MiB; the largest of these payloads is declared 16 MiB.
    assert!(
        growth < 48 << 10,
        "peak resident memory grew by {growth} KiB"
    );
}

#[test]
fn a_decode_limit_below_the_code_refuses_to_store_and_misses_larger_payloads() {
    on_each_store(|store_name, inner| {
        let cache = Compressed::new(inner, 3)
            .expect("level 3")
            .decode_limit(100_000);
        assert_eq!(cache.max_decoded(), 100_000);
        let error = store(&cache, "big.html", SOURCE, &code(100_001)).expect_err("over");
        assert!(
            matches!(error, Error::OverDecodeLimit { .. }),
            "{store_name}: {error}"
        );
        assert!(error.to_string().contains("100000"), "{error}");

        let roomy = Compressed::new(inner, 3).expect("level 3");
        store(&roomy, "big.html", SOURCE, &code(100_001)).expect("store");
        assert_eq!(load(&cache, "big.html", SOURCE), None, "{store_name}");
        assert!(load(&roomy, "big.html", SOURCE).is_some(), "{store_name}");
    });
}

#[test]
fn batch_lookups_go_through_the_wrapper() {
    on_each_store(|store_name, inner| {
        let cache = Compressed::new(inner, 3).expect("level 3");
        store(&cache, "a.html", "a", &code(3_000)).expect("store");
        store(&cache, "c.html", "c", b"c code").expect("store");
        store(inner, "b.html", "b", b"plain b").expect("store plain");

        let lookups = [
            Lookup::new("a.html", "a"),
            Lookup::new("b.html", "b"),
            Lookup::new("c.html", "c"),
            Lookup::new("d.html", "d"),
        ];
        let buckets = cache.get_buckets(&(), &lookups).expect("batch");
        let codes: Vec<Option<&[u8]>> = buckets.iter().map(|b| b.code.as_deref()).collect();
        let found: Vec<bool> = codes.iter().map(Option::is_some).collect();
        assert_eq!(found, [true, false, true, false], "{store_name}");
        assert!(codes[0] == Some(&code(3_000)[..]) && codes[2] == Some(&b"c code"[..]));
        assert_eq!(buckets[2].key, cache.get_cache_key("c.html", None));
    });
}

#[test]
fn levels_outside_1_to_22_are_errors_naming_the_level() {
    on_each_store(|_, inner| {
        for level in [0, -5, 23] {
            match Compressed::new(inner, level) {
                Err(error @ Error::InvalidCompressionLevel { .. }) => {
                    assert!(error.to_string().contains(&level.to_string()), "{error}");
                }
                other => panic!("level {level}: {other:?}"),
            }
        }
        assert_eq!(Compressed::new(inner, 22).expect("22").level(), 22);
    });
}
