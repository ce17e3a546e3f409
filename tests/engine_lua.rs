//! `LuaCompiler`: Lua 5.4 code loaded from a real filesystem cache runs exactly like freshly
//! compiled code, and every bad entry is compiled again.
#![cfg(feature = "lua")]

use std::fs;
use std::path::Path;
use std::sync::Arc;

use bccache::engine::lua::LuaCompiler;
use bccache::engine::lua::mlua::{Function, Lua, Value};
use bccache::{
    BytecodeCache, CachedLoader, Compiler, Environment, FileSystemBytecodeCache, LoadError, Origin,
};

/// Scripts with closures, tables, string handling, varargs, integer and float arithmetic.
const SCRIPTS: &[(&str, &str)] = &[
    (
        "fib.lua",
        r#"
local n = ...
local memo = {}
local function fib(k)
  if k < 2 then return k end
  if memo[k] then return memo[k] end
  local v = fib(k - 1) + fib(k - 2)
  memo[k] = v
  return v
end
return fib(n)
"#,
    ),
    (
        "words.lua",
        r#"
local text = ...
local counts, order = {}, {}
for word in text:gmatch("%a+") do
  word = word:lower()
  if not counts[word] then order[#order + 1] = word end
  counts[word] = (counts[word] or 0) + 1
end
table.sort(order, function(a, b)
  if counts[a] ~= counts[b] then return counts[a] > counts[b] end
  return a < b
end)
local out = {}
for i = 1, math.min(3, #order) do
  out[#out + 1] = order[i] .. "=" .. counts[order[i]]
end
return table.concat(out, ",")
"#,
    ),
    (
        "stats.lua",
        r#"
local xs = {...}
local sum, sq = 0, 0
for _, x in ipairs(xs) do sum = sum + x; sq = sq + x * x end
local mean = sum / #xs
return string.format("n=%d mean=%.3f var=%.3f max=%d", #xs, mean, sq / #xs - mean * mean,
  math.max(table.unpack(xs)))
"#,
    ),
];

fn cache_in(dir: &Path) -> FileSystemBytecodeCache {
    FileSystemBytecodeCache::new(dir, "__lua_%s.cache").expect("cache in a temp dir")
}

fn loader_in(dir: &Path) -> CachedLoader<LuaCompiler, FileSystemBytecodeCache> {
    CachedLoader::new(
        LuaCompiler::new(Lua::new()).expect("compiler"),
        cache_in(dir),
    )
}

/// Runs a script with the arguments its test data expects, rendering the result as text.
fn run(name: &str, function: &Function) -> String {
    let result: Value = match name {
        "fib.lua" => function.call(80),
        "words.lua" => function.call("the cat and the hat and THE bat"),
        _ => function.call((3, 1, 4, 1, 5, 9, 2, 6)),
    }
    .expect("script runs");
    match result {
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string().expect("printable result"),
    }
}

#[test]
fn cached_lua_chunk_runs_like_freshly_compiled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    for &(name, source) in SCRIPTS {
        let fresh = loader
            .compiler()
            .compile(name, Some(name), source)
            .expect("compiles");
        let first = loader
            .load_with_origin(name, Some(name), source)
            .expect("loads");
        let cached = loader
            .load_with_origin(name, Some(name), source)
            .expect("loads");
        assert_eq!(first.origin, Origin::Compiled);
        assert_eq!(cached.origin, Origin::Cache);
        assert_eq!(run(name, &cached.code), run(name, &fresh), "{name}");
        assert_eq!(run(name, &first.code), run(name, &fresh), "{name}");
    }
    assert_eq!(
        run(
            "fib.lua",
            &loader
                .load("fib.lua", Some("fib.lua"), SCRIPTS[0].1)
                .expect("loads")
        ),
        "23416728348467685"
    );
}

#[test]
fn another_lua_state_runs_the_cached_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (name, source) = SCRIPTS[1];
    let first = loader_in(dir.path());
    let expected = run(name, &first.load(name, None, source).expect("compiles"));

    // A restarted process: new Lua state, new compiler, same directory.
    let restarted = loader_in(dir.path());
    let loaded = restarted
        .load_with_origin(name, None, source)
        .expect("loads");
    assert_eq!(loaded.origin, Origin::Cache);
    assert_eq!(run(name, &loaded.code), expected);
    assert_eq!(expected, "the=3,and=2,bat=1");
}

#[test]
fn cached_code_keeps_file_names_and_line_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let source = "local x = 1\nerror('boom at two')\n";
    loader
        .load("boom", Some("scripts/boom.lua"), source)
        .expect("compiles");
    let cached = loader
        .load_with_origin("boom", Some("scripts/boom.lua"), source)
        .expect("loads");
    assert_eq!(cached.origin, Origin::Cache);

    let error = cached.code.call::<()>(()).expect_err("raises");
    assert!(
        error
            .to_string()
            .contains("scripts/boom.lua:2: boom at two"),
        "{error}"
    );
}

#[test]
fn stripped_code_runs_and_does_not_mix_with_unstripped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (name, source) = SCRIPTS[2];
    let full = loader_in(dir.path());
    let expected = run(name, &full.load(name, None, source).expect("compiles"));

    let stripped = CachedLoader::new(
        LuaCompiler::new(Lua::new()).expect("compiler").strip(true),
        cache_in(dir.path()),
    );
    assert_ne!(
        stripped.compiler().fingerprint(),
        full.compiler().fingerprint()
    );
    let first = stripped
        .load_with_origin(name, None, source)
        .expect("compiles");
    assert_eq!(
        first.origin,
        Origin::Compiled,
        "unstripped code must not be used"
    );
    let cached = stripped
        .load_with_origin(name, None, source)
        .expect("loads");
    assert_eq!(cached.origin, Origin::Cache);
    assert_eq!(run(name, &cached.code), expected);
    assert!(
        stripped.compiler().to_bytecode(&cached.code).len()
            < full
                .compiler()
                .to_bytecode(&full.load(name, None, source).expect("loads"))
                .len()
    );
}

#[test]
fn corrupt_lua_bytecode_is_recompiled() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (name, source) = SCRIPTS[0];
    let loader = loader_in(dir.path());
    // A well-formed entry (right key, checksum and engine) whose payload is a mangled chunk.
    let good = loader.compiler().to_bytecode(
        &loader
            .compiler()
            .compile(name, None, source)
            .expect("compiles"),
    );
    let mut bucket = loader
        .cache()
        .get_bucket(loader.compiler(), name, None, source)
        .expect("bucket");
    bucket.code = Some(good[..good.len() / 2].to_vec());
    loader.cache().set_bucket(&bucket).expect("stored");

    let loaded = loader
        .load_with_origin(name, None, source)
        .expect("compiles");
    assert_eq!(loaded.origin, Origin::Compiled);
    assert_eq!(run(name, &loaded.code), "23416728348467685");
    let again = loader.load_with_origin(name, None, source).expect("loads");
    assert_eq!(
        again.origin,
        Origin::Cache,
        "the recompiled code replaced the bad entry"
    );
}

#[test]
fn flipped_bit_in_the_cache_file_never_reaches_lua() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (name, source) = SCRIPTS[1];
    let loader = loader_in(dir.path());
    loader.load(name, None, source).expect("compiles");
    let path = loader
        .cache()
        .path_for_key(&loader.cache().get_cache_key(name, None));
    let clean = fs::read(&path).expect("entry");

    // Flip one bit at a time across the payload; each must be a miss, never a crash.
    let step = (clean.len() / 64).max(1);
    for at in (100..clean.len() - 8).step_by(step) {
        let mut bytes = clean.clone();
        bytes[at] ^= 0x10;
        fs::write(&path, &bytes).expect("corrupted");
        let loaded = loader
            .load_with_origin(name, None, source)
            .expect("compiles");
        assert_eq!(loaded.origin, Origin::Compiled, "flip at {at}");
        assert_eq!(run(name, &loaded.code), "the=3,and=2,bat=1");
    }
}

#[test]
fn source_text_is_not_accepted_as_bytecode() {
    let compiler = LuaCompiler::new(Lua::new()).expect("compiler");
    // SAFETY: none of these starts with this Lua's binary chunk header, which
    // `LuaCompiler::from_bytecode` documents as refused before Lua reads further.
    unsafe {
        assert!(compiler.from_bytecode(b"return 42").is_none());
        assert!(compiler.from_bytecode(b"").is_none());
        assert!(compiler.from_bytecode(b"\x1bLua garbage").is_none());
    }
}

#[test]
fn lua_syntax_error_is_a_compile_error_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loader = loader_in(dir.path());
    let error = loader
        .load("broken", Some("scripts/broken.lua"), "local = 1")
        .expect_err("does not compile");
    let LoadError::Compile { name, source } = &error else {
        panic!("expected a compile error, got {error:?}");
    };
    assert_eq!(name, "broken");
    assert!(
        source.to_string().contains("scripts/broken.lua:1"),
        "{source}"
    );
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn fingerprint_names_the_lua_version() {
    let compiler = LuaCompiler::new(Lua::new()).expect("compiler");
    let fingerprint = compiler.fingerprint();
    let text = String::from_utf8_lossy(&fingerprint);
    assert!(text.contains("Lua 5.4"), "{text}");
    assert_eq!(compiler.lua_version(), "Lua 5.4");
    assert_eq!(
        fingerprint,
        LuaCompiler::new(Lua::new())
            .expect("compiler")
            .fingerprint(),
        "the fingerprint must be stable across Lua states"
    );
}

#[test]
fn each_thread_with_its_own_lua_state_shares_one_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = Arc::new(cache_in(dir.path()));
    let expected: Vec<String> = {
        let loader = CachedLoader::new(LuaCompiler::new(Lua::new()).expect("compiler"), &*cache);
        SCRIPTS
            .iter()
            .map(|&(name, source)| {
                run(
                    name,
                    &loader
                        .compiler()
                        .compile(name, None, source)
                        .expect("compiles"),
                )
            })
            .collect()
    };

    std::thread::scope(|scope| {
        for _ in 0..4 {
            let cache = Arc::clone(&cache);
            let expected = &expected;
            scope.spawn(move || {
                let loader =
                    CachedLoader::new(LuaCompiler::new(Lua::new()).expect("compiler"), cache);
                for _round in 0..5 {
                    for (&(name, source), want) in SCRIPTS.iter().zip(expected) {
                        let code = loader.load(name, None, source).expect("loads");
                        assert_eq!(&run(name, &code), want);
                    }
                }
            });
        }
    });
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        SCRIPTS.len()
    );
}
