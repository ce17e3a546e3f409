//! Many processes and many threads share one cache directory, and nobody runs torn, stale or
//! foreign code.
//!
//! Every worker loops over get / compile / set / clear on the same few templates. Sources change
//! between iterations and two engine versions share the directory, so stale and foreign entries
//! are always present. "Compiling" is a deterministic function of engine and source, so every
//! hit can be checked against what its source compiles to. Meanwhile a reader decodes the raw
//! entry files as they are rewritten: every file it opens must be one complete entry.

mod support;

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bccache::{Bucket, BytecodeCache, FileSystemBytecodeCache};
use support::child;
use support::engine::Engine;
use support::fs::temp_files_in;
use xxhash_rust::xxh3::xxh3_64;

const PATTERN: &str = "__torture_%s.cache";
const NAMES: [&str; 3] = ["index.html", "layout.html", "macros/forms.html"];
/// Versions of each source that workers pick from, so entries keep going stale.
const VERSIONS: u32 = 4;
const ENGINES: [Engine; 2] = [Engine("torture-engine 1.0"), Engine("torture-engine 2.0")];
/// One iteration in this many clears the whole cache.
const CLEAR_ONE_IN: u64 = 40;

const PROCESSES: usize = 4;
const PROCESS_RUN: Duration = Duration::from_secs(3);
const THREADS: usize = 4;
const THREAD_RUN: Duration = Duration::from_secs(2);
/// Each worker does at least this many iterations (so a slow machine still tests something)
/// and at most `MAX_ITERATIONS`, and stops at `HARD_STOP` whatever the count.
const MIN_ITERATIONS: u64 = 200;
const MAX_ITERATIONS: u64 = 1_000_000;
const HARD_STOP: Duration = Duration::from_secs(20);
/// A child still running after this is killed and the test fails.
const CHILD_DEADLINE: Duration = Duration::from_secs(60);
/// The kill test lets its workers run this long, from their first entry, before SIGKILL.
const KILL_AFTER: Duration = Duration::from_millis(1500);
/// The kill test fails if no worker has stored an entry after this.
const FIRST_ENTRY_WAIT: Duration = Duration::from_secs(10);
/// A raw reader stops after this many sweeps whatever else it waits for.
const MAX_SWEEPS: u64 = 10_000_000;

fn source(name: &str, version: u32) -> String {
    let mut source = format!("{{# {name}, version {version} #}}\n");
    for line in 0..(version * 37 + name.len() as u32) % 60 {
        source.push_str(&format!("<p>{{{{ item_{line} }}}}</p>\n"));
    }
    source
}

/// The "compiler": 512 bytes to 16 KiB of bytes determined by engine and source alone.
fn compile(engine: &Engine, source: &str) -> Vec<u8> {
    let mut seed = Vec::with_capacity(engine.0.len() + 1 + source.len());
    seed.extend_from_slice(engine.0.as_bytes());
    seed.push(0);
    seed.extend_from_slice(source.as_bytes());
    let mut rng = Rng(xxh3_64(&seed) | 1);
    let len = 512 + (rng.next() % (15 * 1024 + 512)) as usize;
    (0..len).map(|_| rng.next() as u8).collect()
}

/// xorshift64*: deterministic, dependency-free, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    iterations: u64,
    hits: u64,
    misses: u64,
    stores: u64,
    clears: u64,
    errors: u64,
    wrong_code: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.iterations += other.iterations;
        self.hits += other.hits;
        self.misses += other.misses;
        self.stores += other.stores;
        self.clears += other.clears;
        self.errors += other.errors;
        self.wrong_code += other.wrong_code;
    }

    fn to_line(self) -> String {
        format!(
            "tally {} {} {} {} {} {} {}",
            self.iterations,
            self.hits,
            self.misses,
            self.stores,
            self.clears,
            self.errors,
            self.wrong_code
        )
    }

    fn from_line(line: &str) -> Option<Tally> {
        let at = line.find("tally ")?;
        let n: Vec<u64> = line[at..]
            .strip_prefix("tally ")?
            .split(' ')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [iterations, hits, misses, stores, clears, errors, wrong_code] = n[..] else {
            return None;
        };
        Some(Tally {
            iterations,
            hits,
            misses,
            stores,
            clears,
            errors,
            wrong_code,
        })
    }

    fn describe(&self) -> String {
        format!(
            "{} iterations ({} hits, {} misses, {} stores, {} clears), {} errors, {} loads of \
             wrong code",
            self.iterations,
            self.hits,
            self.misses,
            self.stores,
            self.clears,
            self.errors,
            self.wrong_code
        )
    }

    /// Panics unless the run was clean and exercised hits, stores and clears.
    fn assert_clean(&self) {
        assert_eq!(self.errors, 0, "cache errors: {}", self.describe());
        assert_eq!(self.wrong_code, 0, "wrong code loaded: {}", self.describe());
        assert!(
            self.hits > 0 && self.stores > 0 && self.clears > 0,
            "the run never hit, stored or cleared: {}",
            self.describe()
        );
    }
}

/// The application's loop: load, and on a miss compile and store; now and then clear.
fn work(cache: &dyn BytecodeCache, seed: u64, run: Duration) -> Tally {
    let mut rng = Rng(seed | 1);
    let mut tally = Tally::default();
    let start = Instant::now();
    while tally.iterations < MAX_ITERATIONS
        && (start.elapsed() < run || tally.iterations < MIN_ITERATIONS)
        && start.elapsed() < HARD_STOP
    {
        tally.iterations += 1;
        if rng.below(CLEAR_ONE_IN) == 0 {
            match cache.clear() {
                Ok(()) => tally.clears += 1,
                Err(e) => {
                    eprintln!("clear failed: {e:?}");
                    tally.errors += 1;
                }
            }
            continue;
        }
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        let engine = &ENGINES[rng.below(ENGINES.len() as u64) as usize];
        let source = source(name, rng.below(u64::from(VERSIONS)) as u32);
        let mut bucket = match cache.get_bucket(engine, name, None, &source) {
            Ok(bucket) => bucket,
            Err(e) => {
                eprintln!("get_bucket failed: {e:?}");
                tally.errors += 1;
                continue;
            }
        };
        let compiled = compile(engine, &source);
        match &bucket.code {
            Some(code) => {
                tally.hits += 1;
                if *code != compiled {
                    eprintln!("wrong code for {name} under {}", engine.0);
                    tally.wrong_code += 1;
                }
            }
            None => {
                tally.misses += 1;
                bucket.code = Some(compiled);
                match cache.set_bucket(&bucket) {
                    Ok(()) => tally.stores += 1,
                    Err(e) => {
                        eprintln!("set_bucket failed: {e:?}");
                        tally.errors += 1;
                    }
                }
            }
        }
    }
    tally
}

/// Checks raw entry files as they are rewritten: each one opened must be, byte for byte, a
/// complete entry of one of the sources its template can have, and must decode to its code.
struct RawReader {
    cache: FileSystemBytecodeCache,
    /// For each key, every entry it may legitimately hold.
    expected: Vec<(String, Vec<Candidate>)>,
}

struct Candidate {
    engine: usize,
    checksum: String,
    code: Vec<u8>,
    encoded: Vec<u8>,
}

impl RawReader {
    fn new(dir: &Path) -> Self {
        let cache = FileSystemBytecodeCache::new(dir, PATTERN).expect("reader's cache");
        let mut expected = Vec::new();
        for name in NAMES {
            let key = cache.get_cache_key(name, None);
            let mut candidates = Vec::new();
            for (e, engine) in ENGINES.iter().enumerate() {
                for version in 0..VERSIONS {
                    let source = source(name, version);
                    let mut bucket =
                        Bucket::new(engine, key.clone(), cache.get_source_checksum(&source));
                    bucket.code = Some(compile(engine, &source));
                    candidates.push(Candidate {
                        engine: e,
                        encoded: bucket.bytecode_to_string().expect("encode"),
                        checksum: bucket.checksum,
                        code: bucket.code.unwrap_or_default(),
                    });
                }
            }
            expected.push((key, candidates));
        }
        RawReader { cache, expected }
    }

    /// Reads every entry file once; panics on one that is not a complete, known entry.
    /// Returns how many files it checked.
    fn sweep(&self) -> u64 {
        let mut checked = 0;
        for (key, candidates) in &self.expected {
            let path = self.cache.path_for_key(key);
            let mut file = match fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("cannot open {}: {e}", path.display()),
            };
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("read the entry");
            let Some(candidate) = candidates.iter().find(|c| c.encoded == bytes) else {
                panic!(
                    "{} ({} bytes) is not a complete entry of any source of its template",
                    path.display(),
                    bytes.len()
                );
            };
            // Decode it both ways a user can: from the bytes, and from the open file.
            let engine = &ENGINES[candidate.engine];
            let mut bucket = Bucket::new(engine, key.clone(), candidate.checksum.clone());
            bucket.bytecode_from_string(&bytes);
            assert_eq!(
                bucket.code.as_ref(),
                Some(&candidate.code),
                "{}",
                path.display()
            );
            file.seek(SeekFrom::Start(0)).expect("rewind the entry");
            bucket.load_bytecode(&file).expect("read the entry");
            assert_eq!(
                bucket.code.as_ref(),
                Some(&candidate.code),
                "{}",
                path.display()
            );
            checked += 1;
        }
        checked
    }
}

/// Sweeps `reader` again and again until `done(entries checked so far)`, for at most `limit`
/// and [`MAX_SWEEPS`] sweeps; returns how many entries it checked.
fn sweep_until(reader: &RawReader, done: impl Fn(u64) -> bool, limit: Duration) -> u64 {
    let start = Instant::now();
    let mut checked = 0;
    let mut sweeps = 0u64;
    while !done(checked) && sweeps < MAX_SWEEPS && start.elapsed() < limit {
        checked += reader.sweep();
        sweeps += 1;
        thread::yield_now();
    }
    checked
}

/// A thread sweeping `reader` until `done` is set; it returns how many entries it checked.
fn spawn_sweeper(reader: RawReader, done: Arc<AtomicBool>) -> JoinHandle<u64> {
    thread::spawn(move || sweep_until(&reader, |_| done.load(Ordering::Relaxed), HARD_STOP * 3))
}

fn seed_from_clock(salt: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    xxh3_64(&[nanos.to_le_bytes(), salt.to_le_bytes()].concat())
}

/// A child process's part: `work` on the directory, with the seed and for the run (in
/// milliseconds) of its instructions ("<dir>\n<seed>\n<run>"), then its tally on stdout.
fn child_work(instructions: &str) {
    let mut lines = instructions.lines();
    let (Some(dir), Some(seed), Some(run), None) =
        (lines.next(), lines.next(), lines.next(), lines.next())
    else {
        panic!("child instructions are not <dir>, <seed>, <run>: {instructions:?}");
    };
    let cache = FileSystemBytecodeCache::new(dir, PATTERN).expect("child's cache");
    let seed = seed.parse().expect("seed");
    let run = Duration::from_millis(run.parse().expect("run in milliseconds"));
    let tally = work(&cache, seed, run);
    println!("{}", tally.to_line());
}

/// Starts `PROCESSES` children of `test`, each working on `dir` for `run`.
fn spawn_workers(test: &str, dir: &Path, run: Duration) -> Vec<Child> {
    (0..PROCESSES)
        .map(|i| {
            let instructions = format!(
                "{}\n{}\n{}",
                dir.display(),
                seed_from_clock(i as u64),
                run.as_millis()
            );
            child::spawn(child::child_command(test, &instructions))
        })
        .collect()
}

/// Worker processes that are killed and reaped when dropped, so a failing test leaves none
/// running.
struct Workers(Vec<Child>);

impl Workers {
    /// Sends SIGKILL to every worker and reaps it; returns how each one ended.
    fn kill(&mut self) -> Vec<ExitStatus> {
        self.0
            .drain(..)
            .map(|mut process| {
                let _ = process.kill();
                process.wait().expect("reap the killed child")
            })
            .collect()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for process in &mut self.0 {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

#[test]
fn processes_sharing_a_directory_never_load_wrong_code() {
    const TEST: &str = "processes_sharing_a_directory_never_load_wrong_code";
    if let Some(instructions) = child::child_instructions() {
        return child_work(&instructions);
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let children = spawn_workers(TEST, dir.path(), PROCESS_RUN);

    // The parent reads raw entries while the children rewrite them.
    let reader = RawReader::new(dir.path());
    let done = Arc::new(AtomicBool::new(false));
    let sweeper = spawn_sweeper(reader, Arc::clone(&done));

    let mut total = Tally::default();
    let mut failures = Vec::new();
    for process in children {
        let output = child::wait_with_deadline(process, CHILD_DEADLINE);
        let stdout = child::check_passed(TEST, &output);
        match stdout.lines().find_map(Tally::from_line) {
            Some(tally) => total.add(&tally),
            None => failures.push(stdout),
        }
    }
    done.store(true, Ordering::Relaxed);
    let raw_checked = sweeper.join().expect("the raw reader panicked");
    assert!(
        failures.is_empty(),
        "children printed no tally: {failures:?}"
    );

    let leftovers = temp_files_in(dir.path());
    println!(
        "{PROCESSES} processes x ~{PROCESS_RUN:?} on one directory: {}; parent checked \
         {raw_checked} raw entry reads, all complete; {} temp files left",
        total.describe(),
        leftovers.len()
    );
    total.assert_clean();
    assert!(raw_checked > 0, "the raw reader never saw an entry");
    assert!(
        leftovers.is_empty(),
        "temp files left behind: {leftovers:?}"
    );
}

#[test]
fn threads_sharing_a_cache_never_load_wrong_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache: Arc<dyn BytecodeCache> =
        Arc::new(FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache"));

    let done = Arc::new(AtomicBool::new(false));
    let reader = RawReader::new(dir.path());
    let sweeper = spawn_sweeper(reader, Arc::clone(&done));
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let cache = Arc::clone(&cache);
            let seed = seed_from_clock(100 + i as u64);
            thread::spawn(move || work(&*cache, seed, THREAD_RUN))
        })
        .collect();

    let mut total = Tally::default();
    for worker in workers {
        total.add(&worker.join().expect("a worker panicked"));
    }
    done.store(true, Ordering::Relaxed);
    let raw_checked = sweeper.join().expect("the raw reader panicked");

    let leftovers = temp_files_in(dir.path());
    println!(
        "{THREADS} threads x ~{THREAD_RUN:?} sharing one Arc<dyn BytecodeCache>: {}; a reader \
         decoded {raw_checked} raw entries while they were rewritten, all complete; {} temp \
         files left",
        total.describe(),
        leftovers.len()
    );
    total.assert_clean();
    assert!(raw_checked > 0, "the raw reader never saw an entry");
    assert!(
        leftovers.is_empty(),
        "temp files left behind: {leftovers:?}"
    );
}

#[test]
fn writers_killed_mid_run_leave_no_torn_entry() {
    const TEST: &str = "writers_killed_mid_run_leave_no_torn_entry";
    if let Some(instructions) = child::child_instructions() {
        return child_work(&instructions);
    }
    // kill -9 in the middle of the work: some writes are cut short, as by a crash.
    let dir = tempfile::tempdir().expect("temp dir");
    // The workers would run until `HARD_STOP`: every one is still working when it is killed.
    let mut workers = Workers(spawn_workers(TEST, dir.path(), HARD_STOP));
    let reader = RawReader::new(dir.path());
    // Start the kill clock once the workers are storing entries, however slowly they started.
    let mut checked = sweep_until(&reader, |checked| checked > 0, FIRST_ENTRY_WAIT);
    assert!(
        checked > 0,
        "no worker stored an entry within {FIRST_ENTRY_WAIT:?}"
    );
    checked += sweep_until(&reader, |_| false, KILL_AFTER);
    let ended = workers.kill();
    let killed = ended
        .iter()
        .filter(|status| status.signal() == Some(libc::SIGKILL))
        .count();

    // What the crash left: only complete entries, perhaps some temp files.
    checked += reader.sweep();
    let leftovers = temp_files_in(dir.path());
    let cache = FileSystemBytecodeCache::new(dir.path(), PATTERN).expect("cache");
    let after = work(&cache, seed_from_clock(7), Duration::ZERO);
    cache.clear().expect("clear after the crash");
    // clear() leaves the stats files (`.bccache-stats-*`) to `bccache stats`.
    let remaining = fs::read_dir(dir.path())
        .expect("ls")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            !name.to_string_lossy().starts_with(".bccache-stats-")
        })
        .count();
    println!(
        "killed {killed} of {PROCESSES} writers {KILL_AFTER:?} into their work; {checked} raw entry \
         reads, all complete; {} temp files left by the kill, all removed by clear(); a fresh \
         worker then ran {}",
        leftovers.len(),
        after.describe()
    );
    assert_eq!(
        killed, PROCESSES,
        "a worker had ended before the kill: {ended:?}"
    );
    assert_eq!(after.errors + after.wrong_code, 0, "{}", after.describe());
    assert_eq!(remaining, 0, "clear() left files behind");
}
