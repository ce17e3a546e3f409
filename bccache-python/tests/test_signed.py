"""A planted entry never runs under Signed.

The attacker can write to the fleet's shared Redis. They store, under the key and checksum of a
real template, a code object that creates a marker file when Jinja2 executes it.
"""

import os

import jinja2
import pytest
from jinja2.bccache import Bucket

import bccache

KEY = bytes(range(32))
TEMPLATE = "index.html"
SOURCE = "<h1>Hello {{ name }}</h1>"


def plant(cache, marker):
    """Writes the attacker's code object for TEMPLATE through `cache`."""
    loader = jinja2.DictLoader({TEMPLATE: SOURCE})
    env = jinja2.Environment(loader=loader)
    _, filename, _ = loader.get_source(env, TEMPLATE)
    bucket = Bucket(env, cache.get_cache_key(TEMPLATE, filename), cache.get_source_checksum(SOURCE))
    bucket.code = compile(f"open({str(marker)!r}, 'w').close()\nraise SystemExit('planted')",
                          "<planted>", "exec")
    cache.dump_bytecode(bucket)


def victim_renders(cache):
    env = jinja2.Environment(loader=jinja2.DictLoader({TEMPLATE: SOURCE}), bytecode_cache=cache)
    return env.get_template(TEMPLATE).render(name="world")


def test_unsigned_victim_runs_the_planted_code(redis_url, prefix, tmp_path):
    # The threat is real: without Signed, Jinja2 executes whatever the store holds.
    marker = tmp_path / "pwned"
    plant(bccache.RedisBytecodeCache(redis_url, prefix=prefix), marker)
    with pytest.raises(SystemExit, match="planted"):
        victim_renders(bccache.RedisBytecodeCache(redis_url, prefix=prefix))
    assert marker.exists()


@pytest.mark.parametrize("attacker", ["unsigned store", "signed with a wrong key"])
def test_signed_victim_never_runs_a_planted_entry(redis_url, prefix, tmp_path, attacker):
    marker = tmp_path / "pwned"
    store = bccache.RedisBytecodeCache(redis_url, prefix=prefix)
    if attacker == "unsigned store":
        plant(store, marker)
    else:
        plant(bccache.Signed(store, b"\xee" * 32), marker)

    victim = bccache.Signed(bccache.RedisBytecodeCache(redis_url, prefix=prefix), KEY)
    for _ in range(2):  # the first load replaces the planted entry; the second is a hit
        assert victim_renders(victim) == "<h1>Hello world</h1>"
    assert not marker.exists()
    stats = victim.stats()
    assert stats["hits"] == 1 and stats["rejected"] >= 1

    # The planted entry is gone: an unsigned reader finds only the signed one (a miss to it).
    assert victim_renders(bccache.RedisBytecodeCache(redis_url, prefix=prefix)) == (
        "<h1>Hello world</h1>"
    )
    assert not marker.exists()


def test_signed_compressed_tier_round_trip(redis_url, prefix, tmp_path):
    # The signature is checked before decompression: Signed goes inside Compressed.
    with pytest.raises(bccache.BytecodeCacheError, match="decompress"):
        bccache.Signed(bccache.Compressed(bccache.RedisBytecodeCache(redis_url, prefix=prefix), 3), KEY)
    shared = bccache.Compressed(
        bccache.Signed(bccache.RedisBytecodeCache(redis_url, prefix=prefix), KEY), 3
    )
    tiers = bccache.TieredBytecodeCache([bccache.MemoryBytecodeCache(1 << 20), shared])
    assert victim_renders(tiers) == "<h1>Hello world</h1>"
    fresh = bccache.Compressed(
        bccache.Signed(bccache.RedisBytecodeCache(redis_url, prefix=prefix), KEY), 3
    )
    assert victim_renders(fresh) == "<h1>Hello world</h1>"
    assert fresh.stats()["hits"] == 1


def test_key_rotation_accepts_the_old_key(tmp_path):
    old, new = b"o" * 32, b"n" * 32
    writer = bccache.Signed(bccache.FileSystemBytecodeCache(tmp_path), old)
    victim_renders(writer)
    rotated = bccache.Signed(bccache.FileSystemBytecodeCache(tmp_path), new, also_accept=[old])
    victim_renders(rotated)
    assert rotated.stats()["hits"] == 1
    only_new = bccache.Signed(bccache.FileSystemBytecodeCache(tmp_path / "x"), new)
    assert only_new.stats()["hits"] == 0


def test_short_or_text_keys_are_refused(tmp_path):
    with pytest.raises(bccache.BytecodeCacheError, match="32"):
        bccache.Signed(bccache.FileSystemBytecodeCache(tmp_path), b"short")
    with pytest.raises(TypeError, match="bytes"):
        bccache.Signed(bccache.FileSystemBytecodeCache(tmp_path), "x" * 64)
    with pytest.raises(TypeError, match="bytes"):
        bccache.Signed(bccache.FileSystemBytecodeCache(tmp_path), 32)
    assert not os.listdir(tmp_path)
