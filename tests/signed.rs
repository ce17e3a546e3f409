//! `Signed` around real stores (files in a temp dir, a real memcached): only entries signed
//! with an accepted key load; forged, unsigned, tampered and moved entries are misses, and a
//! planted Lua chunk never runs.
#![cfg(feature = "signed")]

mod support;

use std::time::Duration;

use bccache::{BytecodeCache, Error, FileSystemBytecodeCache, Lookup, Signed};
use support::below::{on_each_store, payload_below, plant};
use support::child;
use support::fs::{load, store};

const OUR_KEY: [u8; 32] = [0x5a; 32];
const OLD_KEY: [u8; 32] = [0x01; 32];
const ATTACKER_KEY: [u8; 32] = [0xee; 32];
const SOURCE: &str = "return render(page)";

/// Bytes a signature adds after the code: key id (8) and MAC (32).
const SIGNATURE_LEN: usize = 40;

fn signed(inner: &dyn BytecodeCache) -> Signed<&dyn BytecodeCache> {
    Signed::new(inner, &OUR_KEY).expect("a 32-byte key")
}

#[test]
fn round_trip_on_each_store_and_plain_lookups_miss() {
    on_each_store(|store_name, inner| {
        let cache = signed(inner);
        assert_eq!(load(&cache, "page.lua", SOURCE), None, "{store_name}");
        store(&cache, "page.lua", SOURCE, b"compiled page").expect("store");
        assert_eq!(
            load(&cache, "page.lua", SOURCE).as_deref(),
            Some(&b"compiled page"[..]),
            "{store_name}"
        );
        assert_eq!(load(inner, "page.lua", SOURCE), None, "{store_name}");
        assert_eq!(load(&cache, "page.lua", "return 2"), None, "{store_name}");
        let below = payload_below(inner, &cache.inner_fingerprint(&()), "page.lua", SOURCE)
            .expect("the signed entry, read below the wrapper");
        assert_eq!(below.len(), b"compiled page".len() + SIGNATURE_LEN);
    });
}

#[test]
fn entry_signed_with_another_key_is_a_miss_then_replaced() {
    on_each_store(|store_name, inner| {
        let cache = signed(inner);
        // The attacker writes straight into the shared store, with a key of their own.
        let attacker = Signed::new(inner, &ATTACKER_KEY).expect("key");
        store(&attacker, "page.lua", SOURCE, b"attacker's code").expect("plant");
        assert!(load(&attacker, "page.lua", SOURCE).is_some());

        let before = cache.stats().expect("counts");
        assert_eq!(load(&cache, "page.lua", SOURCE), None, "{store_name}");
        let after = cache.stats().expect("counts");
        assert_eq!(after.rejected, before.rejected + 1, "{store_name}");
        assert_eq!(after.hits, before.hits, "{store_name}");

        // The application compiles again and overwrites the forged entry.
        store(&cache, "page.lua", SOURCE, b"our code").expect("store");
        assert_eq!(
            load(&cache, "page.lua", SOURCE).as_deref(),
            Some(&b"our code"[..]),
            "{store_name}"
        );
        assert_eq!(load(&attacker, "page.lua", SOURCE), None, "{store_name}");
    });
}

#[test]
fn unsigned_entries_are_misses() {
    on_each_store(|store_name, inner| {
        let cache = signed(inner);
        let fingerprint = cache.inner_fingerprint(&());

        // A plain entry of the plain store: another fingerprint.
        store(inner, "page.lua", SOURCE, b"plain code").expect("plain store");
        assert_eq!(load(&cache, "page.lua", SOURCE), None, "{store_name}");

        // Entries under the signed fingerprint, well-formed, valid trailer, no valid signature.
        store(&cache, "other.lua", SOURCE, b"x").expect("store");
        let key_id = payload_below(inner, &fingerprint, "other.lua", SOURCE).expect("entry")
            [1..1 + 8]
            .to_vec();
        let code = b"attacker's code, unsigned".to_vec();
        let with_zero_signature = [&code[..], &[0; SIGNATURE_LEN]].concat();
        let with_our_id = [&code[..], &key_id, &[0; 32]].concat();
        let cases = [
            ("no signature", code.clone()),
            ("a zero signature", with_zero_signature),
            ("our key id and a zero MAC", with_our_id),
            ("nothing", Vec::new()),
        ];
        for (what, payload) in cases {
            plant(inner, &fingerprint, "page.lua", SOURCE, payload);
            assert_eq!(
                load(&cache, "page.lua", SOURCE),
                None,
                "{store_name}: {what}"
            );
        }
    });
}

#[test]
fn a_flipped_bit_in_mac_key_id_or_code_is_a_miss() {
    on_each_store(|store_name, inner| {
        let cache = signed(inner);
        let fingerprint = cache.inner_fingerprint(&());
        let code = b"function render(page) return page end".to_vec();
        store(&cache, "page.lua", SOURCE, &code).expect("store");
        let payload = payload_below(inner, &fingerprint, "page.lua", SOURCE).expect("entry");

        let len = payload.len();
        let places = [
            ("the code's first byte", 0),
            ("the code's last byte", code.len() - 1),
            ("the key id", code.len()),
            ("the MAC's first byte", len - 32),
            ("the MAC's last byte", len - 1),
        ];
        for (what, at) in places {
            for bit in [0, 7] {
                let mut flipped = payload.clone();
                flipped[at] ^= 1 << bit;
                plant(inner, &fingerprint, "page.lua", SOURCE, flipped);
                assert_eq!(
                    load(&cache, "page.lua", SOURCE),
                    None,
                    "{store_name}: bit {bit} of {what}"
                );
            }
        }
        plant(inner, &fingerprint, "page.lua", SOURCE, payload);
        assert_eq!(load(&cache, "page.lua", SOURCE), Some(code), "{store_name}");
    });
}

#[test]
fn a_signed_entry_moved_to_another_template_or_source_is_a_miss() {
    on_each_store(|store_name, inner| {
        let cache = signed(inner);
        let fingerprint = cache.inner_fingerprint(&());
        store(&cache, "admin.lua", SOURCE, b"admin code").expect("store");
        let payload = payload_below(inner, &fingerprint, "admin.lua", SOURCE).expect("entry");

        plant(inner, &fingerprint, "guest.lua", SOURCE, payload.clone());
        assert_eq!(load(&cache, "guest.lua", SOURCE), None, "{store_name}");
        plant(inner, &fingerprint, "admin.lua", "return 0", payload);
        assert_eq!(load(&cache, "admin.lua", "return 0"), None, "{store_name}");
        // Under another engine's fingerprint: a miss already at the header, signature aside.
        let engine = support::engine::Engine("engine 2");
        let entry = cache
            .get_bucket(&engine, "admin.lua", None, SOURCE)
            .expect("load");
        assert!(entry.code.is_none(), "{store_name}");
    });
}

#[test]
fn rotation_accepts_old_entries_until_the_old_key_is_dropped() {
    on_each_store(|store_name, inner| {
        let old = Signed::new(inner, &OLD_KEY).expect("key");
        store(&old, "old.lua", SOURCE, b"signed with the old key").expect("store");

        let rotating = Signed::new(inner, &OUR_KEY)
            .expect("key")
            .also_accept(&OLD_KEY)
            .expect("old key");
        assert_eq!(
            load(&rotating, "old.lua", SOURCE).as_deref(),
            Some(&b"signed with the old key"[..]),
            "{store_name}"
        );
        // Writes use the new key: a store that knows only the new key reads them.
        store(&rotating, "new.lua", SOURCE, b"signed with the new key").expect("store");
        let new_only = signed(inner);
        assert_eq!(
            load(&new_only, "new.lua", SOURCE).as_deref(),
            Some(&b"signed with the new key"[..]),
            "{store_name}"
        );
        assert_eq!(load(&old, "new.lua", SOURCE), None, "{store_name}");

        // The old key dropped: its entries miss, then are re-signed.
        assert_eq!(load(&new_only, "old.lua", SOURCE), None, "{store_name}");
        store(&new_only, "old.lua", SOURCE, b"re-signed").expect("store");
        assert_eq!(
            load(&new_only, "old.lua", SOURCE).as_deref(),
            Some(&b"re-signed"[..])
        );
    });
}

#[test]
fn batch_lookups_verify_every_entry() {
    on_each_store(|store_name, inner| {
        let cache = signed(inner);
        let attacker = Signed::new(inner, &ATTACKER_KEY).expect("key");
        store(&cache, "a.lua", "a", b"our a").expect("store");
        store(&attacker, "b.lua", "b", b"forged b").expect("plant");
        store(&cache, "c.lua", "c", b"our c").expect("store");
        let lookups = [
            Lookup::new("a.lua", "a"),
            Lookup::new("b.lua", "b"),
            Lookup::new("c.lua", "c"),
        ];
        let buckets = cache.get_buckets(&(), &lookups).expect("batch");
        let codes: Vec<Option<&[u8]>> = buckets.iter().map(|b| b.code.as_deref()).collect();
        assert_eq!(
            codes,
            [Some(&b"our a"[..]), None, Some(&b"our c"[..])],
            "{store_name}"
        );
    });
}

#[cfg(feature = "zstd")]
#[test]
fn signing_goes_inside_compression_and_the_other_order_is_refused() {
    use bccache::{Compressed, ReadOnly, TieredBytecodeCache};
    on_each_store(|store_name, inner| {
        let code = b"local t = {} ".repeat(2_000);
        let cache = Compressed::new(signed(inner), 3).expect("level");
        store(&cache, "page.lua", SOURCE, &code).expect("store");
        assert!(
            load(&cache, "page.lua", SOURCE) == Some(code.clone()),
            "{store_name}"
        );

        // A forger with the same stack and another key.
        let forger =
            Compressed::new(Signed::new(inner, &ATTACKER_KEY).expect("key"), 3).expect("level");
        store(&forger, "page.lua", SOURCE, b"forged").expect("plant");
        assert_eq!(load(&cache, "page.lua", SOURCE), None, "{store_name}");
    });

    // Decompression before verification cannot be built, however the compressed store is
    // wrapped.
    let dir = tempfile::tempdir().expect("temp dir");
    let files = || FileSystemBytecodeCache::new(dir.path(), "__t_%s.cache").expect("store");
    let compressed = || Compressed::new(files(), 3).expect("level");
    let refusals = [
        Signed::new(compressed(), &OUR_KEY).err(),
        Signed::new(ReadOnly::new(compressed()), &OUR_KEY).err(),
        Signed::new(Box::new(compressed()) as Box<dyn BytecodeCache>, &OUR_KEY).err(),
        Signed::new(
            TieredBytecodeCache::new(vec![Box::new(files()), Box::new(compressed())]),
            &OUR_KEY,
        )
        .err(),
    ];
    for refusal in refusals {
        let error = refusal.expect("refused");
        assert!(matches!(error, Error::SignedAroundCompressed), "{error}");
        assert!(
            error.to_string().contains("Compressed::new(Signed::new("),
            "{error}"
        );
    }
}

#[cfg(feature = "lua")]
#[test]
fn a_planted_lua_chunk_never_runs() {
    use bccache::engine::lua::LuaCompiler;
    use bccache::engine::lua::mlua::{Function, Lua, Value};
    use bccache::{CachedLoader, Compiler, MemcachedBytecodeCache, Origin};
    use support::memcached::MemcachedServer;

    let server = MemcachedServer::start();
    let shared = MemcachedBytecodeCache::connect(&server.url()).expect("memcached");
    let dir = tempfile::tempdir().expect("temp dir");
    let marker = dir.path().join("planted-code-ran");
    let legit = "return 'legit'";
    let planted = format!(
        "local f = assert(io.open({:?}, 'w')) f:write('ran') f:close() planted = true \
         return 'planted'",
        marker.to_str().expect("UTF-8 temp path")
    );

    // The attacker compiles their chunk and stores it as the bytecode of `job.lua` with the
    // legitimate source's checksum, so that it is a well-formed entry for it.
    let attacker = LuaCompiler::new(Lua::new()).expect("compiler");
    let evil = attacker.to_bytecode(
        &attacker
            .compile("job.lua", None, &planted)
            .expect("compile"),
    );
    let plant_with = |cache: &dyn BytecodeCache| {
        let mut bucket = cache
            .get_bucket(&attacker, "job.lua", None, legit)
            .expect("load");
        bucket.code = Some(evil.clone());
        cache.set_bucket(&bucket).expect("plant");
    };
    let call = |function: &Function| function.call::<String>(()).expect("call");
    let planted_global = |lua: &Lua| lua.globals().get::<Value>("planted").expect("global");

    // Control: without a signature, the planted chunk is what runs.
    plant_with(&shared);
    let unsigned = CachedLoader::new(LuaCompiler::new(Lua::new()).expect("compiler"), &shared);
    let loaded = unsigned
        .load_with_origin("job.lua", None, legit)
        .expect("load");
    assert_eq!(loaded.origin, Origin::Cache);
    assert_eq!(call(&loaded.code), "planted");
    assert!(
        marker.exists(),
        "the control attack must work for this test to mean anything"
    );
    std::fs::remove_file(&marker).expect("remove the marker");

    // Signed: the attacker's entry, signed with their own key, is a miss; we compile ours.
    plant_with(&Signed::new(&shared, &ATTACKER_KEY).expect("key"));
    let victim = CachedLoader::new(
        LuaCompiler::new(Lua::new()).expect("compiler"),
        Signed::new(&shared, &OUR_KEY).expect("key"),
    );
    let loaded = victim
        .load_with_origin("job.lua", None, legit)
        .expect("load");
    assert_eq!(loaded.origin, Origin::Compiled);
    assert_eq!(call(&loaded.code), "legit");
    // And the unsigned chunk planted again is a miss too.
    plant_with(&shared);
    let loaded = victim
        .load_with_origin("job.lua", None, legit)
        .expect("load");
    assert_eq!(loaded.origin, Origin::Compiled);
    assert_eq!(call(&loaded.code), "legit");
    assert!(!marker.exists(), "the planted chunk ran");
    assert_eq!(planted_global(victim.compiler().lua()), Value::Nil);

    // Our signed entry replaced it.
    let loaded = victim
        .load_with_origin("job.lua", None, legit)
        .expect("load");
    assert_eq!(loaded.origin, Origin::Cache);
    assert_eq!(call(&loaded.code), "legit");
}

#[test]
fn short_keys_are_errors_naming_the_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = || FileSystemBytecodeCache::new(dir.path(), "__s_%s.cache").expect("store");
    match Signed::new(store(), &[7; 16]) {
        Err(error @ Error::InvalidSigningKey { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("16 bytes") && message.contains("32"),
                "{message}"
            );
        }
        other => panic!("a 16-byte key: {other:?}"),
    }
    assert!(Signed::new(store(), &[]).is_err());
    let error = Signed::new(store(), &OUR_KEY)
        .expect("key")
        .also_accept(&[1; 31])
        .expect_err("a 31-byte old key");
    assert!(error.to_string().contains("31 bytes"), "{error}");
}

const HEX_VAR: &str = "BCCACHE_TEST_SIGNING_KEY_HEX";
const BASE64_VAR: &str = "BCCACHE_TEST_SIGNING_KEY_BASE64";
const SHORT_VAR: &str = "BCCACHE_TEST_SIGNING_KEY_SHORT";
const GARBAGE_VAR: &str = "BCCACHE_TEST_SIGNING_KEY_GARBAGE";
const UNSET_VAR: &str = "BCCACHE_TEST_SIGNING_KEY_UNSET";

/// Runs in a child process whose environment the parent sets (no `set_var` in a threaded test).
#[test]
fn keys_from_the_environment() {
    if child::child_instructions().is_none() {
        let hex: String = OUR_KEY.iter().map(|b| format!("{b:02x}")).collect();
        let mut command = child::child_command("keys_from_the_environment", "env");
        command
            .env(HEX_VAR, format!("{hex}\n"))
            // base64 of 32 bytes of 0x5a.
            .env(BASE64_VAR, "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=")
            .env(SHORT_VAR, "00112233445566778899aabbccddeeff")
            .env(GARBAGE_VAR, "not a key!")
            .env_remove(UNSET_VAR);
        let output = child::wait_with_deadline(child::spawn(command), Duration::from_secs(60));
        child::check_passed("keys_from_the_environment", &output);
        return;
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let inner = FileSystemBytecodeCache::new(dir.path(), "__s_%s.cache").expect("store");
    let from_hex = Signed::from_env(&inner, HEX_VAR).expect("hex key");
    let from_base64 = Signed::from_env(&inner, BASE64_VAR).expect("base64 key");
    store(&from_hex, "a.lua", SOURCE, b"code").expect("store");
    // The same key both ways, and the same as the bytes given to `new`.
    assert_eq!(
        load(&from_base64, "a.lua", SOURCE).as_deref(),
        Some(&b"code"[..])
    );
    assert_eq!(
        load(&signed(&inner), "a.lua", SOURCE).as_deref(),
        Some(&b"code"[..])
    );

    for (var, problem) in [
        (SHORT_VAR, "16 bytes"),
        (GARBAGE_VAR, "neither hex nor base64"),
        (UNSET_VAR, "not set"),
    ] {
        match Signed::from_env(&inner, var) {
            Err(error @ Error::SigningKeyVar { .. }) => {
                let message = error.to_string();
                assert!(
                    message.contains(var) && message.contains(problem),
                    "{message}"
                );
            }
            other => panic!("{var}: {other:?}"),
        }
    }
}

#[test]
fn an_unsigned_tier_below_a_signed_one_never_gets_its_entries_signed() {
    use bccache::{CachedLoader, Origin, ReadOnly, TieredBytecodeCache, Trust};
    use support::engine::Upper;

    let shared_dir = tempfile::tempdir().expect("temp dir");
    let local_dir = tempfile::tempdir().expect("temp dir");
    let shared = || {
        let files = FileSystemBytecodeCache::new(shared_dir.path(), "__shared_%s.cache");
        Signed::new(files.expect("store"), &OUR_KEY).expect("key")
    };
    let local = FileSystemBytecodeCache::new(local_dir.path(), "__local_%s.cache").expect("store");
    assert_eq!(shared().trust(), Trust::Verified);
    assert_eq!(ReadOnly::new(shared()).trust(), Trust::Verified);
    assert_eq!(local.trust(), Trust::Unverified);

    // The attacker plants code in the unsigned tier, under the compiler's fingerprint.
    let mut planted = local
        .get_bucket(&Upper, "page", None, "hello")
        .expect("bucket");
    planted.code = Some(b"ATTACKER".to_vec());
    local.set_bucket(&planted).expect("plant");

    // Machine A put the unsigned tier below the signed one.
    let tiers = TieredBytecodeCache::new(vec![Box::new(shared()), Box::new(local)]);
    assert_eq!(tiers.trust(), Trust::Unverified);
    let machine_a = CachedLoader::new(Upper, tiers);
    let loaded = machine_a
        .load_with_origin("page", None, "hello")
        .expect("load");
    // Its own stack trusts that tier for this process: the hit is returned...
    assert_eq!(
        (loaded.code.as_str(), loaded.origin),
        ("ATTACKER", Origin::Cache)
    );
    // ...but never signed into the shared store.
    let in_shared = shared()
        .get_bucket(&Upper, "page", None, "hello")
        .expect("load");
    assert_eq!(in_shared.code, None);

    // Machine B trusts only the signed store: it compiles, and never runs the attacker's code.
    let machine_b = CachedLoader::new(Upper, shared());
    for origin in [Origin::Compiled, Origin::Cache] {
        let loaded = machine_b
            .load_with_origin("page", None, "hello")
            .expect("load");
        assert_eq!((loaded.code.as_str(), loaded.origin), ("HELLO", origin));
    }

    // Fills toward less trusted tiers go on: a signed hit fills an unsigned tier above it.
    let fast_dir = tempfile::tempdir().expect("temp dir");
    let fast = FileSystemBytecodeCache::new(fast_dir.path(), "__fast_%s.cache").expect("store");
    let tiers = TieredBytecodeCache::new(vec![Box::new(fast), Box::new(shared())]);
    let hit = tiers
        .get_bucket(&Upper, "page", None, "hello")
        .expect("load");
    assert_eq!(hit.code.as_deref(), Some(&b"HELLO"[..]));
    let filled = tiers.tiers()[0]
        .get_bucket(&Upper, "page", None, "hello")
        .expect("load");
    assert_eq!(filled.code.as_deref(), Some(&b"HELLO"[..]));
}
