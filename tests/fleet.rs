//! Single flight across real processes: a fleet starting together on a cold cache compiles
//! each key once, and a holder killed mid-compile hands its lease to the next process.
//!
//! Each test re-runs itself as child processes (`support::child`); the children load through a
//! slow compiler that appends a line per compile to a shared log, which the parent counts.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bccache::{
    BytecodeCache, CachedLoader, FileSystemBytecodeCache, MemcachedBytecodeCache, Origin,
    RedisBytecodeCache,
};
use support::child;
use support::memcached::MemcachedServer;
use support::redis::RedisServer;
use support::slow::Slow;

const PROCESSES: usize = 6;
const KEYS: usize = 4;
const PATTERN: &str = "__fleet_%s.cache";
const COMPILE: Duration = Duration::from_millis(300);
const MAX_WAIT: Duration = Duration::from_secs(10);
const CHILD_DEADLINE: Duration = Duration::from_secs(120);

/// What a child does: which store, where, its compile log, the file that starts it, how long
/// a compile takes, its first key (children start at different keys) and how many it loads.
struct Instructions {
    store: String,
    location: String,
    log: PathBuf,
    go: PathBuf,
    compile: Duration,
    first: usize,
    keys: usize,
}

impl Instructions {
    fn encode(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.store,
            self.location,
            self.log.display(),
            self.go.display(),
            self.compile.as_millis(),
            self.first,
            self.keys
        )
    }

    fn decode(text: &str) -> Self {
        let parts: Vec<&str> = text.split('|').collect();
        assert_eq!(parts.len(), 7, "instructions: {text}");
        Instructions {
            store: parts[0].to_owned(),
            location: parts[1].to_owned(),
            log: PathBuf::from(parts[2]),
            go: PathBuf::from(parts[3]),
            compile: Duration::from_millis(parts[4].parse().expect("compile ms")),
            first: parts[5].parse().expect("first key"),
            keys: parts[6].parse().expect("keys"),
        }
    }
}

fn name_of(key: usize) -> String {
    format!("script{key}.lua")
}

fn source_of(key: usize) -> String {
    format!("return {key} -- of the fleet")
}

fn open_store(store: &str, location: &str) -> Box<dyn BytecodeCache> {
    match store {
        "dir" => Box::new(FileSystemBytecodeCache::new(location, PATTERN).expect("directory")),
        "redis" => Box::new(RedisBytecodeCache::connect(location).expect("redis url")),
        "memcached" => Box::new(MemcachedBytecodeCache::connect(location).expect("memcached url")),
        other => panic!("unknown store {other}"),
    }
}

/// A child's part: wait for the go file, then load every key through single flight.
fn play_child(text: &str) {
    let ins = Instructions::decode(text);
    let compiler = Slow {
        log: Some(ins.log.clone()),
        ..Slow::new(ins.compile)
    };
    let loader =
        CachedLoader::new(compiler, open_store(&ins.store, &ins.location)).single_flight(MAX_WAIT);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ins.go.exists() {
        assert!(Instant::now() < deadline, "no go file");
        std::thread::sleep(Duration::from_millis(1));
    }
    for n in 0..ins.keys {
        let key = (ins.first + n) % KEYS;
        let code = loader
            .load(&name_of(key), None, &source_of(key))
            .expect("code");
        assert_eq!(code, source_of(key).to_uppercase());
    }
}

/// The compile log's lines.
fn compiles(log: &Path) -> Vec<String> {
    match std::fs::read_to_string(log) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("read the compile log: {e}"),
    }
}

/// Starts `PROCESSES` children of `test` on `store` at `location` together; every key must be
/// compiled exactly once in all.
fn run_fleet(test: &str, store: &str, location: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, go) = (dir.path().join("compiles.log"), dir.path().join("go"));
    let children: Vec<_> = (0..PROCESSES)
        .map(|id| {
            let ins = Instructions {
                store: store.to_owned(),
                location: location.to_owned(),
                log: log.clone(),
                go: go.clone(),
                compile: COMPILE,
                first: id % KEYS,
                keys: KEYS,
            };
            child::spawn(child::child_command(test, &ins.encode()))
        })
        .collect();
    std::fs::write(&go, b"").expect("go file");
    for c in children {
        child::check_passed(test, &child::wait_with_deadline(c, CHILD_DEADLINE));
    }
    let mut compiled = compiles(&log);
    compiled.sort();
    let expected: Vec<String> = (0..KEYS).map(name_of).collect();
    assert_eq!(
        compiled, expected,
        "each key compiled once by the whole fleet"
    );
}

#[test]
fn six_processes_on_a_cold_directory_compile_each_key_once() {
    const TEST: &str = "six_processes_on_a_cold_directory_compile_each_key_once";
    if let Some(text) = child::child_instructions() {
        return play_child(&text);
    }
    let cache_dir = tempfile::tempdir().expect("cache dir");
    run_fleet(TEST, "dir", &cache_dir.path().to_string_lossy());
    let left: Vec<_> = std::fs::read_dir(cache_dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".__fleet_") && name.ends_with(".lock"))
        .collect();
    assert!(left.is_empty(), "lock files left: {left:?}");
}

#[test]
fn six_processes_on_a_cold_redis_compile_each_key_once() {
    const TEST: &str = "six_processes_on_a_cold_redis_compile_each_key_once";
    if let Some(text) = child::child_instructions() {
        return play_child(&text);
    }
    let server = RedisServer::start();
    run_fleet(TEST, "redis", &server.url());
}

#[test]
fn six_processes_on_a_cold_memcached_compile_each_key_once() {
    const TEST: &str = "six_processes_on_a_cold_memcached_compile_each_key_once";
    if let Some(text) = child::child_instructions() {
        return play_child(&text);
    }
    let server = MemcachedServer::start();
    run_fleet(TEST, "memcached", &server.url());
}

#[test]
fn holder_killed_mid_compile_lets_the_others_finish_within_max_wait_and_one_compile() {
    const TEST: &str =
        "holder_killed_mid_compile_lets_the_others_finish_within_max_wait_and_one_compile";
    if let Some(text) = child::child_instructions() {
        return play_child(&text);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let cache_dir = dir.path().join("cache");
    let (log, go) = (dir.path().join("compiles.log"), dir.path().join("go"));
    std::fs::write(&go, b"").expect("go file");
    let instructions = |compile| Instructions {
        store: "dir".to_owned(),
        location: cache_dir.to_string_lossy().into_owned(),
        log: log.clone(),
        go: go.clone(),
        compile,
        first: 0,
        keys: 1,
    };
    // The holder: a compile that would take a minute.
    let mut holder = child::spawn(child::child_command(
        TEST,
        &instructions(Duration::from_secs(60)).encode(),
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    while compiles(&log).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the holder never started compiling"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let waiters: Vec<_> = (1..PROCESSES)
        .map(|_| child::spawn(child::child_command(TEST, &instructions(COMPILE).encode())))
        .collect();
    // Let the waiters reach the held lease before the holder dies.
    std::thread::sleep(Duration::from_millis(500));
    holder.kill().expect("SIGKILL the holder");
    let _ = holder.wait();
    let killed = Instant::now();
    for w in waiters {
        child::check_passed(TEST, &child::wait_with_deadline(w, CHILD_DEADLINE));
    }
    let took = killed.elapsed();
    // One second on top for the waiters' processes to exit and be reaped.
    let budget = MAX_WAIT + COMPILE + Duration::from_secs(1);
    assert!(took < budget, "waiters took {took:?} after the kill");
    assert_eq!(
        compiles(&log),
        [name_of(0), name_of(0)],
        "the killed holder's key is compiled again, once"
    );

    let cache = FileSystemBytecodeCache::new(&cache_dir, PATTERN).expect("cache");
    let loader = CachedLoader::new(Slow::new(Duration::ZERO), cache);
    let loaded = loader
        .load_with_origin(&name_of(0), None, &source_of(0))
        .expect("the entry");
    assert_eq!(loaded.origin, Origin::Cache, "the entry is there");
    assert_eq!(loaded.code, source_of(0).to_uppercase(), "and good");
    assert_eq!(loader.compiler().compiles(), 0);
}
