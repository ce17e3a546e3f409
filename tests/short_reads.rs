//! Short reads, the way NFS, FUSE, CIFS and signals make them: an `LD_PRELOAD` shim (built
//! here with `cc`) caps every `readv` of a child run of this binary, or shrinks the file
//! between the load's `fstat` and its read. A hit must still be exactly the code stored, and a
//! shrunk entry a miss, never a panic.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use bccache::{BytecodeCache, Checksum, FileSystemBytecodeCache};
use support::child;

const SHIM: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

long bccache_shim_calls = 0;
long bccache_shim_short = 0;

ssize_t readv(int fd, const struct iovec *iov, int count) {
    static ssize_t (*real)(int, const struct iovec *, int);
    if (!real) real = (ssize_t (*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "readv");
    __sync_fetch_and_add(&bccache_shim_calls, 1);
    const char *shrink = getenv("BCCACHE_SHIM_SHRINK");
    if (shrink) {
        char link[64], path[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, path, sizeof path - 1);
        if (n > 0) {
            path[n] = 0;
            if (truncate(path, atol(shrink)) != 0) return -1;
        }
    }
    const char *cap_text = getenv("BCCACHE_SHIM_CAP");
    if (!cap_text) return real(fd, iov, count);
    size_t left = strtoul(cap_text, 0, 10), asked = 0;
    struct iovec capped[16];
    int n = 0;
    for (int i = 0; i < count && i < 16; i++) {
        asked += iov[i].iov_len;
        if (left == 0) continue;
        capped[n] = iov[i];
        if (capped[n].iov_len > left) capped[n].iov_len = left;
        left -= capped[n].iov_len;
        n++;
    }
    ssize_t got = real(fd, capped, n);
    if (got >= 0 && (size_t)got < asked) __sync_fetch_and_add(&bccache_shim_short, 1);
    return got;
}
"#;

/// The shim, built once per test process.
fn shim() -> &'static Path {
    static SHIM_DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &SHIM_DIR
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir for the shim");
            let source = dir.path().join("shim.c");
            std::fs::write(&source, SHIM).expect("write the shim");
            let library = dir.path().join("libreadvshim.so");
            let status = Command::new("cc")
                .args(["-shared", "-fPIC", "-O2", "-o"])
                .arg(&library)
                .arg(&source)
                .arg("-ldl")
                .status()
                .expect("run cc");
            assert!(status.success(), "cc failed to build the readv shim");
            (dir, library)
        })
        .1
}

/// Entry sizes of the code, from one byte up to `largest`.
fn sizes(largest: usize) -> Vec<usize> {
    [1, 2, 7, 100, 4095, 4096, 65_537, (1 << 20) + 3, 24 << 20]
        .into_iter()
        .filter(|&n| n <= largest)
        .collect()
}

fn code_of(len: usize) -> Vec<u8> {
    (0..len)
        .map(|n| (n % 251) as u8 ^ (n >> 16) as u8)
        .collect()
}

/// A shim counter: how many `readv` calls it saw, or how many of them it cut short.
fn shim_counter(name: &str) -> i64 {
    let symbol = std::ffi::CString::new(name).expect("symbol name");
    // SAFETY: dlsym with RTLD_DEFAULT only looks the symbol up; `symbol` is NUL-terminated.
    let address = unsafe { libc::dlsym(libc::RTLD_DEFAULT, symbol.as_ptr()) };
    assert!(!address.is_null(), "the readv shim is not loaded");
    // SAFETY: the shim defines `name` as a `long`, alive for the whole process.
    unsafe { std::ptr::read_volatile(address.cast::<i64>()) }
}

/// In the child: stores entries of every size under both checksums, then loads each; every
/// load must be a hit with exactly the stored code, through reads the shim cut short.
fn child_stores_and_loads(largest: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    for checksum in [Checksum::Sha1, Checksum::Xxh3_128] {
        let cache = FileSystemBytecodeCache::new(dir.path(), "__short_%s.cache")
            .expect("cache")
            .checksum(checksum);
        for len in sizes(largest) {
            let name = format!("{checksum:?}-{len}.html");
            let code = code_of(len);
            support::fs::store(&cache, &name, "source", &code).expect("store");
            let loaded = support::fs::load(&cache, &name, "source");
            assert!(
                loaded.as_deref() == Some(&code[..]),
                "{name}: not a hit of the stored code"
            );
        }
        let stats = cache.stats().expect("counts");
        assert_eq!((stats.rejected, stats.errors), (0, 0), "{stats:?}");
    }
    assert!(
        shim_counter("bccache_shim_short") > 0,
        "no read was cut short"
    );
}

/// Runs `test` as a child with the shim and `env`.
fn run_with_shim(test: &str, env: &[(&str, String)]) {
    let mut command = child::child_command(test, "child");
    command.env("LD_PRELOAD", shim());
    for (key, value) in env {
        command.env(key, value);
    }
    let output = child::wait_with_deadline(child::spawn(command), Duration::from_secs(240));
    child::check_passed(test, &output);
}

#[test]
fn each_readv_returning_one_byte_still_hits() {
    const TEST: &str = "each_readv_returning_one_byte_still_hits";
    if child::child_instructions().is_some() {
        return child_stores_and_loads(65_537);
    }
    run_with_shim(TEST, &[("BCCACHE_SHIM_CAP", "1".into())]);
}

#[test]
fn readvs_of_an_odd_size_still_hit_up_to_24_mib() {
    const TEST: &str = "readvs_of_an_odd_size_still_hit_up_to_24_mib";
    if child::child_instructions().is_some() {
        return child_stores_and_loads(24 << 20);
    }
    run_with_shim(TEST, &[("BCCACHE_SHIM_CAP", "4093".into())]);
}

#[test]
fn readvs_of_exactly_the_header_still_hit() {
    const TEST: &str = "readvs_of_exactly_the_header_still_hit";
    if let Some(cap) = child::child_instructions().and_then(|_| std::env::var("CAP").ok()) {
        let checksum = if cap == "sha1" {
            Checksum::Sha1
        } else {
            Checksum::Xxh3_128
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__short_%s.cache")
            .expect("cache")
            .checksum(checksum);
        for len in sizes(24 << 20) {
            let code = code_of(len);
            let name = format!("t{len}.html");
            support::fs::store(&cache, &name, "source", &code).expect("store");
            let loaded = support::fs::load(&cache, &name, "source");
            assert!(loaded.as_deref() == Some(&code[..]), "{name}: not a hit");
        }
        assert!(
            shim_counter("bccache_shim_short") > 0,
            "no read was cut short"
        );
        return;
    }
    // The header: magic 12, fingerprint 8, key 4 + 40 (sha1 hex), checksum 4 + its hex, and
    // the code length 8.
    for (name, checksum_hex) in [("sha1", 40), ("xxh3", 32)] {
        let header = 12 + 8 + 4 + 40 + 4 + checksum_hex + 8;
        run_with_shim(
            TEST,
            &[
                ("BCCACHE_SHIM_CAP", header.to_string()),
                ("CAP", name.into()),
            ],
        );
    }
}

#[test]
fn a_file_shrinking_between_stat_and_read_is_a_miss() {
    const TEST: &str = "a_file_shrinking_between_stat_and_read_is_a_miss";
    if let Some(dir) = child::child_instructions() {
        let cache = FileSystemBytecodeCache::new(&dir, "__short_%s.cache").expect("cache");
        for len in sizes(1 << 20) {
            let loaded = support::fs::load(&cache, &format!("t{len}.html"), "source");
            assert_eq!(loaded, None, "a shrunk entry of {len} bytes is a miss");
        }
        assert!(
            shim_counter("bccache_shim_calls") > 0,
            "the shim saw no read"
        );
        return;
    }
    // Every entry is longer than 100 bytes: each truncation shrinks it.
    for shrink_to in [0usize, 20, 100] {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = FileSystemBytecodeCache::new(dir.path(), "__short_%s.cache").expect("cache");
        for len in sizes(1 << 20) {
            let code = code_of(len);
            support::fs::store(&cache, &format!("t{len}.html"), "source", &code).expect("store");
        }
        drop(cache);
        let mut command = child::child_command(TEST, dir.path().to_str().expect("UTF-8 path"));
        command
            .env("LD_PRELOAD", shim())
            .env("BCCACHE_SHIM_SHRINK", shrink_to.to_string());
        let output = child::wait_with_deadline(child::spawn(command), Duration::from_secs(120));
        child::check_passed(TEST, &output);
    }
}
