//! `WasmCompiler`: wasmtime modules loaded from a real filesystem cache instantiate and compute
//! exactly like freshly compiled ones, and every bad entry is compiled again.
#![cfg(feature = "wasm")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::path::Path;

use bccache::engine::wasm::WasmCompiler;
use bccache::engine::wasm::wasmtime::{Config, Engine, Instance, Module, OptLevel, Store};
use bccache::{
    BytecodeCache, CachedLoader, Compiler, Environment, FileSystemBytecodeCache, LoadError, Origin,
};

/// Counts the bytes the current thread allocates, so that a test can bound the copies a cache
/// hit makes (the tests of this file run on threads of their own).
struct CountingAllocator;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` with a const initializer, which neither allocates nor has a destructor.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc` is passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + new_size));
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocated_by(f: impl FnOnce()) -> usize {
    let before = ALLOCATED.with(Cell::get);
    f();
    ALLOCATED.with(Cell::get) - before
}

/// Integer arithmetic, a loop and a recursive call.
const MATH_WAT: &str = r#"(module
  (func $fib (export "fib") (param $n i64) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $a))
  (func $gcd (export "gcd") (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.eqz (local.get $b))
      (then (local.get $a))
      (else (call $gcd (local.get $b) (i32.rem_u (local.get $a) (local.get $b)))))))
"#;

/// Linear memory, a data segment and a sieve written into memory.
const SIEVE_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (data (i32.const 60000) "bccache wasm")
  (func (export "count_primes") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u (local.get $i)))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $marked
              (loop $mark
                (br_if $marked (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (local.get $j) (i32.const 1))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $mark)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $count))
  (func (export "byte_sum") (param $at i32) (param $len i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
"#;

/// `(module (func (export "answer") (result i32) i32.const 42))` in the binary format.
const ANSWER_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x07, 0x0a, 0x01, 0x06, b'a', b'n', b's', b'w', b'e', b'r', 0x00, 0x00, // export "answer"
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // code: i32.const 42, end
];

fn cache_in(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__wasm_%s.cache").expect("cache in a temp dir")
}

fn loader_with(config: &Config, dir: &Path) -> CachedLoader<WasmCompiler, FileSystemBytecodeCache> {
    let engine = Engine::new(config).expect("engine");
    CachedLoader::new(WasmCompiler::new(engine), cache_in(dir))
}

fn loader_in(dir: &Path) -> CachedLoader<WasmCompiler, FileSystemBytecodeCache> {
    loader_with(&Config::new(), dir)
}

/// Instantiates `module` in a fresh store and renders what its exports compute.
fn run(engine: &Engine, module: &Module) -> String {
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, module, &[]).expect("instantiates");
    if let Ok(fib) = instance.get_typed_func::<i64, i64>(&mut store, "fib") {
        let gcd = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "gcd")
            .expect("gcd");
        let fib = fib.call(&mut store, 90).expect("fib runs");
        let gcd = gcd.call(&mut store, (1071, 462)).expect("gcd runs");
        return format!("fib(90)={fib} gcd={gcd}");
    }
    let count = instance
        .get_typed_func::<i32, i32>(&mut store, "count_primes")
        .expect("count_primes")
        .call(&mut store, 50_000)
        .expect("sieve runs");
    let sum = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "byte_sum")
        .expect("byte_sum")
        .call(&mut store, (60_000, 12))
        .expect("sum runs");
    format!("primes<50000={count} data_sum={sum}")
}

fn entry_path(loader: &CachedLoader<WasmCompiler, FileSystemBytecodeCache>, name: &str) -> String {
    let cache = loader.cache();
    cache
        .path_for_key(&cache.get_cache_key(name, None))
        .display()
        .to_string()
}

#[test]
fn cached_module_computes_what_a_fresh_compile_computes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let engine = loader.compiler().engine().clone();
    for (name, source) in [("math.wat", MATH_WAT), ("sieve.wat", SIEVE_WAT)] {
        let fresh = loader
            .compiler()
            .compile(name, None, source.as_bytes())
            .expect("compiles");
        let first = loader
            .load_with_origin(name, None, source.as_bytes())
            .expect("loads");
        let cached = loader
            .load_with_origin(name, None, source.as_bytes())
            .expect("loads");
        assert_eq!(
            (first.origin, cached.origin),
            (Origin::Compiled, Origin::Cache)
        );
        assert_eq!(run(&engine, &cached.code), run(&engine, &fresh), "{name}");
        assert_eq!(run(&engine, &first.code), run(&engine, &fresh), "{name}");
    }
    let math = loader
        .load("math.wat", None, MATH_WAT.as_bytes())
        .expect("loads");
    assert_eq!(run(&engine, &math), "fib(90)=2880067194370816120 gcd=21");
    let sieve = loader
        .load("sieve.wat", None, SIEVE_WAT.as_bytes())
        .expect("loads");
    // 5133 primes below 50,000; the data segment's bytes add up to 1169.
    assert_eq!(run(&engine, &sieve), "primes<50000=5133 data_sum=1169");
}

#[test]
fn new_engine_with_the_same_config_hits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::new();
    config.cranelift_opt_level(OptLevel::SpeedAndSize);
    let first = loader_with(&config, dir.path());
    let compiled = first
        .load_with_origin("sieve.wat", None, SIEVE_WAT.as_bytes())
        .expect("compiles");
    assert_eq!(compiled.origin, Origin::Compiled);
    let expected = run(first.compiler().engine(), &compiled.code);

    // A restarted process: a new engine from an equal config, a new cache on the same dir.
    let restarted = loader_with(&config, dir.path());
    assert_eq!(
        restarted.compiler().fingerprint(),
        first.compiler().fingerprint()
    );
    let loaded = restarted
        .load_with_origin("sieve.wat", None, SIEVE_WAT.as_bytes())
        .expect("loads");
    assert_eq!(loaded.origin, Origin::Cache);
    assert_eq!(run(restarted.compiler().engine(), &loaded.code), expected);
}

#[test]
fn changed_source_recompiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let engine = loader.compiler().engine().clone();
    loader
        .load("math.wat", None, MATH_WAT.as_bytes())
        .expect("compiles");

    // Same name, same length, one constant changed: fib's start values now 0, 2.
    let changed = MATH_WAT.replacen("(i64.const 1))\n", "(i64.const 2))\n", 1);
    assert_ne!(changed, MATH_WAT);
    let loaded = loader
        .load_with_origin("math.wat", None, changed.as_bytes())
        .expect("compiles");
    assert_eq!(loaded.origin, Origin::Compiled);
    assert_eq!(
        run(&engine, &loaded.code),
        "fib(90)=5760134388741632240 gcd=21"
    );
    let again = loader
        .load_with_origin("math.wat", None, changed.as_bytes())
        .expect("loads");
    assert_eq!(again.origin, Origin::Cache);
    assert_eq!(
        run(&engine, &again.code),
        "fib(90)=5760134388741632240 gcd=21"
    );
}

#[test]
fn every_corrupted_entry_recompiles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let engine = loader.compiler().engine().clone();
    let name = "math.wat";
    loader
        .load(name, None, MATH_WAT.as_bytes())
        .expect("compiles");
    let path = entry_path(&loader, name);
    let clean = fs::read(&path).expect("entry");
    assert!(
        clean.len() > 1000,
        "a serialized module: {} bytes",
        clean.len()
    );

    // Flip a byte at ~300 places spread over the whole entry (header, native code, wasmtime's
    // metadata, trailer), and cut the entry short at ~50; every one must be compiled again.
    let flips = (0..clean.len()).step_by((clean.len() / 300).max(1));
    let cuts = (0..clean.len()).step_by((clean.len() / 50).max(1));
    let mut corrupted = Vec::new();
    for at in flips.chain([clean.len() - 1]) {
        let mut bytes = clean.clone();
        bytes[at] ^= 0x5a;
        corrupted.push((format!("byte {at} flipped"), bytes));
    }
    for len in cuts {
        corrupted.push((format!("cut to {len} bytes"), clean[..len].to_vec()));
    }
    let mut longer = clean.clone();
    longer.push(0);
    corrupted.push(("one byte too long".to_owned(), longer));

    for (what, bytes) in &corrupted {
        fs::write(&path, bytes).expect("corrupted");
        let loaded = loader
            .load_with_origin(name, None, MATH_WAT.as_bytes())
            .expect("compiles");
        assert_eq!(loaded.origin, Origin::Compiled, "{what}");
        assert_eq!(
            run(&engine, &loaded.code),
            "fib(90)=2880067194370816120 gcd=21",
            "{what}"
        );
    }
    let again = loader
        .load_with_origin(name, None, MATH_WAT.as_bytes())
        .expect("loads");
    assert_eq!(
        again.origin,
        Origin::Cache,
        "the recompiled module replaced the bad entry"
    );
}

#[test]
fn compile_error_stores_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());

    let syntax = loader
        .load(
            "broken.wat",
            None,
            b"(module (func (export \"f\") (result i32) i32.const))",
        )
        .expect_err("does not parse");
    let invalid = loader
        .load(
            "invalid.wat",
            None,
            b"(module (func (result i32) i64.const 1))",
        )
        .expect_err("does not validate");
    let garbage = loader
        .load("garbage.wasm", None, &b"\0asm\x01\0\0\0\x01\xff\xff"[..])
        .expect_err("is no module");

    for (error, name) in [
        (syntax, "broken.wat"),
        (invalid, "invalid.wat"),
        (garbage, "garbage.wasm"),
    ] {
        let LoadError::Compile {
            name: named,
            source,
        } = &error
        else {
            panic!("expected a compile error, got {error:?}");
        };
        assert_eq!(named, name);
        assert!(!source.to_string().is_empty());
        // The error is a std::error::Error, so `?` takes it into a `Box<dyn Error>`.
        let boxed: Box<dyn std::error::Error> = Box::new(error);
        assert!(boxed.source().is_some(), "{boxed}");
    }
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn another_config_misses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let default = loader_in(dir.path());
    default
        .load("sieve.wat", None, SIEVE_WAT.as_bytes())
        .expect("compiles");

    let mut unoptimized = Config::new();
    unoptimized.cranelift_opt_level(OptLevel::None);
    let mut fuel = Config::new();
    fuel.consume_fuel(true);
    for (what, config) in [("opt level none", unoptimized), ("fuel", fuel)] {
        let other = loader_with(&config, dir.path());
        assert_ne!(
            other.compiler().fingerprint(),
            default.compiler().fingerprint(),
            "{what}"
        );
        // Store the default engine's entry again, then look it up under the other config.
        default
            .load("sieve.wat", None, SIEVE_WAT.as_bytes())
            .expect("loads");
        let loaded = other
            .load_with_origin("sieve.wat", None, SIEVE_WAT.as_bytes())
            .expect("compiles");
        assert_eq!(loaded.origin, Origin::Compiled, "{what}");
        let again = other
            .load_with_origin("sieve.wat", None, SIEVE_WAT.as_bytes())
            .expect("loads");
        assert_eq!(again.origin, Origin::Cache, "{what}");
    }

    // The fuel engine's cached module really counts fuel: it runs out on a small budget.
    let mut fuel = Config::new();
    fuel.consume_fuel(true);
    let metered = loader_with(&fuel, dir.path());
    let loaded = metered
        .load_with_origin("sieve.wat", None, SIEVE_WAT.as_bytes())
        .expect("loads");
    assert_eq!(loaded.origin, Origin::Cache);
    let mut store = Store::new(metered.compiler().engine(), ());
    store.set_fuel(1_000).expect("fuel");
    let instance = Instance::new(&mut store, &loaded.code, &[]).expect("instantiates");
    let count = instance
        .get_typed_func::<i32, i32>(&mut store, "count_primes")
        .expect("count_primes");
    assert!(count.call(&mut store, 50_000).is_err(), "out of fuel");
}

#[test]
fn byte_and_text_sources_both_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let engine = loader.compiler().engine().clone();
    let binary = ANSWER_WASM.to_vec();
    let text = "(module (func (export \"answer\") (result i32) i32.const 42))";

    for (name, source) in [
        ("answer.wasm", &binary[..]),
        ("answer.wat", text.as_bytes()),
    ] {
        for expected in [Origin::Compiled, Origin::Cache] {
            let loaded = loader.load_with_origin(name, None, source).expect("loads");
            assert_eq!(loaded.origin, expected, "{name}");
            let mut store = Store::new(&engine, ());
            let instance = Instance::new(&mut store, &loaded.code, &[]).expect("instantiates");
            let answer = instance
                .get_typed_func::<(), i32>(&mut store, "answer")
                .expect("answer");
            assert_eq!(answer.call(&mut store, ()).expect("runs"), 42, "{name}");
        }
    }
    // The two sources differ as bytes, so they are two entries even though the code is equal.
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 2);
}

#[test]
fn empty_bytecode_is_no_module() {
    let compiler = WasmCompiler::new(Engine::default());
    // SAFETY: `WasmCompiler::from_bytecode` refuses empty bytes before wasmtime sees them.
    assert!(unsafe { compiler.from_bytecode(b"") }.is_none());
}

#[test]
fn fingerprint_is_stable_and_tagged() {
    let a = WasmCompiler::new(Engine::default());
    let b = WasmCompiler::new(Engine::new(&Config::new()).expect("engine"));
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert!(a.fingerprint().starts_with(b"bccache-wasm/1 module "));
}

/// Appends `value` as an unsigned LEB128.
fn leb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    leb128(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// A module whose memory is initialized with `data` by one active data segment at 0 and that
/// exports `byte_sum(at, len)`.
fn module_with_data(data: &[u8]) -> Vec<u8> {
    let pages = (data.len() as u64).div_ceil(65536) + 1;
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    section(&mut wasm, 1, &[0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]); // (i32, i32) -> i32
    section(&mut wasm, 3, &[0x01, 0x00]);
    let mut memory = vec![0x01, 0x00];
    leb128(&mut memory, pages);
    section(&mut wasm, 5, &memory);
    section(
        &mut wasm,
        7,
        &[
            0x01, 0x08, b'b', b'y', b't', b'e', b'_', b's', b'u', b'm', 0x00, 0x00,
        ],
    );
    // byte_sum: the same loop as SIEVE_WAT's, with locals 0 = at, 1 = len, 2 = sum.
    #[rustfmt::skip]
    let body: &[u8] = &[
        0x01, 0x01, 0x7f, // one local i32
        0x02, 0x40, 0x03, 0x40, // block, loop
        0x20, 0x01, 0x45, 0x0d, 0x01, // br_if 1 (len == 0)
        0x20, 0x02, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x6a, 0x21, 0x02, // sum += load8_u(at)
        0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00, // at += 1
        0x20, 0x01, 0x41, 0x01, 0x6b, 0x21, 0x01, // len -= 1
        0x0c, 0x00, 0x0b, 0x0b, // br 0, end loop, end block
        0x20, 0x02, 0x0b, // sum, end
    ];
    let mut code = vec![0x01];
    leb128(&mut code, body.len() as u64);
    code.extend_from_slice(body);
    section(&mut wasm, 10, &code);
    let mut segment = vec![0x01, 0x00, 0x41, 0x00, 0x0b]; // one active segment at i32.const 0
    leb128(&mut segment, data.len() as u64);
    segment.extend_from_slice(data);
    section(&mut wasm, 11, &segment);
    wasm
}

#[test]
fn entry_of_tens_of_megabytes_is_read_with_one_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let engine = loader.compiler().engine().clone();
    // 24 MiB of data that does not compress into a pattern wasmtime could skip.
    let data: Vec<u8> = (0..24u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let wasm = module_with_data(&data);
    let expected: i32 = data[1_000_000..1_000_100]
        .iter()
        .map(|&b| i32::from(b))
        .sum();
    let first = loader
        .load_with_origin("big.wasm", None, &wasm[..])
        .expect("compiles");
    assert_eq!(first.origin, Origin::Compiled);
    let entry_len = fs::metadata(entry_path(&loader, "big.wasm"))
        .expect("entry")
        .len() as usize;
    assert!(entry_len > 24 << 20, "entry of {entry_len} bytes");

    // The hit reads the entry into the code's own buffer: one payload-sized allocation (plus
    // the trailer's 8 bytes and the file name), no growing buffer, no second copy.
    let mut code_len = 0;
    let allocated = allocated_by(|| {
        let bucket = loader
            .cache()
            .get_bucket_bytes(loader.compiler(), "big.wasm", None, &wasm)
            .expect("hit");
        code_len = bucket.code.as_ref().expect("hit").len();
    });
    assert!(code_len > 24 << 20);
    assert!(
        allocated < code_len + 64 * 1024,
        "a hit of {code_len} bytes of code allocated {allocated} bytes"
    );

    let loaded = loader
        .load_with_origin("big.wasm", None, &wasm[..])
        .expect("loads");
    assert_eq!(loaded.origin, Origin::Cache);
    let mut store = Store::new(&engine, ());
    let instance = Instance::new(&mut store, &loaded.code, &[]).expect("instantiates");
    let sum = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "byte_sum")
        .expect("byte_sum")
        .call(&mut store, (1_000_000, 100))
        .expect("runs");
    assert_eq!(sum, expected);
}

#[test]
fn threads_share_one_engine_and_one_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let expected = run(
        loader.compiler().engine(),
        &loader
            .compiler()
            .compile("math.wat", None, MATH_WAT.as_bytes())
            .expect("compiles"),
    );
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _round in 0..5 {
                    let code = loader
                        .load("math.wat", None, MATH_WAT.as_bytes())
                        .expect("loads");
                    assert_eq!(run(loader.compiler().engine(), &code), expected);
                }
            });
        }
    });
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 1);
}
