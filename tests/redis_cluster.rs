//! `RedisBytecodeCache` on a real three-master Redis Cluster on 127.0.0.1, made by
//! `redis-cli --cluster create`: placement, a dead master, slots that move, batches, `clear`.

mod support;

use std::thread;
use std::time::{Duration, Instant};

use bccache::{BytecodeCache, DEFAULT_PREFIX, Error, Lookup, RedisBytecodeCache};
use support::redis::RedisCluster;

const SOURCE: &str = "{% block body %}{{ body }}{% endblock %}";

fn cluster_cache(
    cluster: &RedisCluster,
    seeds: &[usize],
    ignore_errors: bool,
) -> RedisBytecodeCache {
    let mut builder = RedisBytecodeCache::builder()
        .cluster(true)
        .ignore_errors(ignore_errors);
    for &seed in seeds {
        builder = builder.server(cluster.url(seed));
    }
    builder.build().expect("a valid cluster")
}

fn code_of(name: &str) -> Vec<u8> {
    format!("compiled {name}").into_bytes()
}

fn store(cache: &impl BytecodeCache, name: &str) {
    let mut bucket = cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("get_bucket");
    bucket.code = Some(code_of(name));
    cache.set_bucket(&bucket).expect("set_bucket");
}

fn load(cache: &impl BytecodeCache, name: &str) -> Option<Vec<u8>> {
    cache
        .get_bucket(&(), name, None, SOURCE)
        .expect("get_bucket")
        .code
}

fn full_key(cache: &RedisBytecodeCache, name: &str) -> String {
    format!("{DEFAULT_PREFIX}{}", cache.get_cache_key(name, None))
}

#[test]
fn keys_spread_over_every_master_from_one_seed() {
    let cluster = RedisCluster::start();
    // One seed is enough: the cache learns the others from it.
    let cache = cluster_cache(&cluster, &[1], false);
    let names: Vec<String> = (0..120).map(|i| format!("page-{i}.html")).collect();
    for name in &names {
        store(&cache, name);
    }
    for name in &names {
        assert_eq!(load(&cache, name), Some(code_of(name)), "{name}");
        // Each key sits on the master that serves its slot, by the cluster's own account.
        let owner = cluster.owner_of(&full_key(&cache, name));
        assert!(
            cluster.nodes[owner]
                .raw_get(&full_key(&cache, name))
                .is_some(),
            "{name}"
        );
    }
    let sizes: Vec<u64> = cluster.nodes.iter().map(|node| node.dbsize()).collect();
    assert_eq!(sizes.iter().sum::<u64>(), 120);
    assert!(sizes.iter().all(|&n| n >= 20), "spread {sizes:?}");
}

#[test]
fn a_killed_master_makes_its_keys_misses_while_the_others_hit() {
    let mut cluster = RedisCluster::start();
    let cache = cluster_cache(&cluster, &[0, 1, 2], true);
    let names: Vec<String> = (0..60).map(|i| format!("page-{i}.html")).collect();
    for name in &names {
        store(&cache, name);
    }
    let owners: Vec<usize> = names
        .iter()
        .map(|n| cluster.owner_of(&full_key(&cache, n)))
        .collect();
    cluster.nodes[2].stop();
    // Twice: once while the cache still maps the slots to the dead master, once after.
    for _ in 0..2 {
        for (name, &owner) in names.iter().zip(&owners) {
            let code = load(&cache, name);
            if owner == 2 {
                assert_eq!(code, None, "{name} lived on the killed master");
            } else {
                assert_eq!(code, Some(code_of(name)), "{name} on a live master");
            }
        }
        let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
        let batch = cache
            .get_buckets(&(), &lookups)
            .expect("errors are ignored");
        for ((bucket, &owner), name) in batch.iter().zip(&owners).zip(&names) {
            assert_eq!(bucket.code.is_some(), owner != 2, "{name}");
        }
    }
    let strict = cluster_cache(&cluster, &[0], false);
    let dead_name = &names[owners
        .iter()
        .position(|&o| o == 2)
        .expect("a key on node 2")];
    let error = strict
        .get_bucket(&(), dead_name, None, SOURCE)
        .expect_err("not ignored");
    assert!(
        matches!(
            error,
            Error::Redis {
                operation: "get",
                ..
            }
        ),
        "{error}"
    );
    let live_name = &names[owners
        .iter()
        .position(|&o| o != 2)
        .expect("a key elsewhere")];
    assert_eq!(load(&strict, live_name), Some(code_of(live_name)));
}

/// Moves `slot` from node `from` to node `to` the way `redis-cli --cluster reshard` does,
/// stopping after the keys moved when `finish` is false (the slot still "migrating": the old
/// owner answers `ASK` for them).
fn migrate_slot(cluster: &RedisCluster, slot: i64, from: usize, to: usize, finish: bool) {
    let (source, target) = (&cluster.nodes[from], &cluster.nodes[to]);
    let (source_id, target_id) = (source.node_id(), target.node_id());
    target.query::<()>(
        redis::cmd("CLUSTER")
            .arg("SETSLOT")
            .arg(slot)
            .arg("IMPORTING")
            .arg(&source_id),
    );
    source.query::<()>(
        redis::cmd("CLUSTER")
            .arg("SETSLOT")
            .arg(slot)
            .arg("MIGRATING")
            .arg(&target_id),
    );
    let keys: Vec<String> = source.query(
        redis::cmd("CLUSTER")
            .arg("GETKEYSINSLOT")
            .arg(slot)
            .arg(1000),
    );
    assert!(!keys.is_empty(), "slot {slot} holds no key");
    source.query::<()>(
        redis::cmd("MIGRATE")
            .arg("127.0.0.1")
            .arg(target.port())
            .arg("")
            .arg(0)
            .arg(5000)
            .arg("KEYS")
            .arg(&keys),
    );
    if finish {
        for node in &cluster.nodes {
            node.query::<()>(
                redis::cmd("CLUSTER")
                    .arg("SETSLOT")
                    .arg(slot)
                    .arg("NODE")
                    .arg(&target_id),
            );
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while cluster.owner_of_slot(slot) != to {
            assert!(
                Instant::now() < deadline,
                "slot {slot} never moved to node {to}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn moved_and_asked_slots_are_followed() {
    let cluster = RedisCluster::start();
    let cache = cluster_cache(&cluster, &[0], false);
    let names: Vec<String> = (0..40).map(|i| format!("page-{i}.html")).collect();
    for name in &names {
        store(&cache, name);
    }
    // The cache has learnt the slot map; now two slots move under it.
    let slot_of = |name: &str| -> i64 {
        cluster.nodes[0].query(
            redis::cmd("CLUSTER")
                .arg("KEYSLOT")
                .arg(full_key(&cache, name)),
        )
    };
    let moved = &names[0];
    let (moved_slot, moved_from) = (slot_of(moved), cluster.owner_of(&full_key(&cache, moved)));
    let asked = names
        .iter()
        .find(|n| cluster.owner_of(&full_key(&cache, n)) != moved_from || slot_of(n) != moved_slot)
        .filter(|n| slot_of(n) != moved_slot)
        .expect("a key in another slot");
    let (asked_slot, asked_from) = (slot_of(asked), cluster.owner_of(&full_key(&cache, asked)));

    migrate_slot(&cluster, moved_slot, moved_from, (moved_from + 1) % 3, true);
    // The old owner answers MOVED; the cache follows it and learns the new map.
    assert_eq!(load(&cache, moved), Some(code_of(moved)));
    let before = cache.stats().expect("counted").errors;
    assert_eq!(load(&cache, moved), Some(code_of(moved)));
    assert_eq!(cache.stats().expect("counted").errors, before);
    // A store after the move lands on the new owner.
    store(&cache, moved);
    let new_owner = &cluster.nodes[(moved_from + 1) % 3];
    assert!(new_owner.raw_get(&full_key(&cache, moved)).is_some());

    migrate_slot(
        &cluster,
        asked_slot,
        asked_from,
        (asked_from + 1) % 3,
        false,
    );
    // Mid-migration the old owner answers ASK for keys that left; the cache asks the new one.
    assert_eq!(load(&cache, asked), Some(code_of(asked)));

    // Batches follow both too.
    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let batch = cache.get_buckets(&(), &lookups).expect("get_buckets");
    for (bucket, name) in batch.iter().zip(&names) {
        assert_eq!(bucket.code, Some(code_of(name)), "{name}");
    }
}

#[test]
fn get_buckets_agrees_with_single_loads() {
    let cluster = RedisCluster::start();
    let cache = cluster_cache(&cluster, &[0, 2], false);
    let names: Vec<String> = (0..1_000).map(|i| format!("page-{i}.html")).collect();
    for name in names.iter().step_by(2) {
        store(&cache, name);
    }
    // A corrupt entry on whichever master holds it.
    let corrupt = &names[10];
    let owner = cluster.owner_of(&full_key(&cache, corrupt));
    cluster.nodes[owner].raw_set(&full_key(&cache, corrupt), b"garbage");

    let lookups: Vec<Lookup<'_>> = names.iter().map(|n| Lookup::new(n, SOURCE)).collect();
    let batch = cache.get_buckets(&(), &lookups).expect("get_buckets");
    for (i, (bucket, name)) in batch.iter().zip(&names).enumerate() {
        assert_eq!(bucket.code, load(&cache, name), "{name}");
        assert_eq!(bucket.code.is_some(), i % 2 == 0 && i != 10, "{name}");
    }
}

#[test]
fn clear_removes_the_prefix_on_every_master_and_nothing_else() {
    let cluster = RedisCluster::start();
    let ours = cluster_cache(&cluster, &[0], false);
    let theirs = RedisBytecodeCache::builder()
        .server(cluster.url(1))
        .cluster(true)
        .prefix("other-app/")
        .build()
        .expect("cache");
    let names: Vec<String> = (0..300).map(|i| format!("page-{i}.html")).collect();
    for name in &names {
        store(&ours, name);
        store(&theirs, name);
    }
    let unrelated = "{user1000}.following";
    let owner = cluster.owner_of(unrelated);
    cluster.nodes[owner].raw_set(unrelated, b"someone else's data");

    ours.clear().expect("clear");

    for name in &names {
        assert_eq!(load(&ours, name), None, "{name}");
        assert_eq!(load(&theirs, name), Some(code_of(name)), "{name}");
    }
    let sizes: Vec<u64> = cluster.nodes.iter().map(|node| node.dbsize()).collect();
    assert_eq!(sizes.iter().sum::<u64>(), 301, "{sizes:?}");
    assert!(cluster.nodes[owner].raw_get(unrelated).is_some());
}

#[test]
fn a_corrupted_entry_in_the_cluster_is_a_miss() {
    let cluster = RedisCluster::start();
    let cache = cluster_cache(&cluster, &[0], false);
    store(&cache, "page.html");
    let key = full_key(&cache, "page.html");
    let node = &cluster.nodes[cluster.owner_of(&key)];
    let good = node.raw_get(&key).expect("stored");
    for at in (0..good.len()).step_by(3) {
        let mut flipped = good.clone();
        flipped[at] ^= 0x01;
        node.raw_set(&key, &flipped);
        assert_eq!(load(&cache, "page.html"), None, "byte {at} flipped");
    }
    node.raw_set(&key, &good);
    assert_eq!(load(&cache, "page.html"), Some(code_of("page.html")));
}

#[test]
fn a_dead_seed_is_passed_over_for_a_live_one() {
    let cluster = RedisCluster::start();
    let cache = RedisBytecodeCache::builder()
        .server(support::redis::refusing_url())
        .server(cluster.url(2))
        .cluster(true)
        .ignore_errors(false)
        .build()
        .expect("cache");
    store(&cache, "page.html");
    assert_eq!(load(&cache, "page.html"), Some(code_of("page.html")));
    let everywhere: u64 = cluster.nodes.iter().map(|node| node.dbsize()).sum();
    assert_eq!(everywhere, 1);
}
