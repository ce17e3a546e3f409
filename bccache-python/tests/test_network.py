"""memcached and Redis, real servers on loopback, and tiers across "machines"."""

import marshal
import socket
import threading
import time

import pytest
from jinja2.bccache import Bucket
from conftest import render_all

import bccache


class TextProtocolClient:
    """A minimal real memcached client (text protocol) with Jinja2's get/set: a client object
    of the application's own, as Jinja2's MemcachedBytecodeCache takes."""

    def __init__(self, port):
        self.port = port
        self.calls = []

    def _request(self, line, data=None):
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(line + (data + b"\r\n" if data is not None else b""))
            reply = b""
            while not reply.endswith((b"END\r\n", b"STORED\r\n", b"ERROR\r\n")):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
        return reply

    def get(self, key):
        self.calls.append(("get", key))
        reply = self._request(f"get {key}\r\n".encode())
        if not reply.startswith(b"VALUE "):
            return None
        header, _, rest = reply.partition(b"\r\n")
        length = int(header.split()[3])
        return rest[:length]

    def set(self, key, value, timeout=0):
        self.calls.append(("set", key, timeout))
        reply = self._request(f"set {key} 0 {timeout} {len(value)}\r\n".encode(), value)
        if reply != b"STORED\r\n":
            raise RuntimeError(f"memcached refused the set: {reply!r}")


def test_memcached_url_second_environment_loads(
    memcached_port, prefix, environment, compiles, app
):
    _, names = app
    url = f"memcache://127.0.0.1:{memcached_port}"
    cache = bccache.MemcachedBytecodeCache(url, prefix=prefix, timeout=600)
    first = render_all(environment(cache), names)
    assert sorted(compiles) == names

    compiles.clear()
    other = bccache.MemcachedBytecodeCache(url, prefix=prefix)
    assert render_all(environment(other), names) == first
    assert compiles == []
    assert other.stats()["hits"] == len(names)


def test_memcached_python_client_second_environment_loads(
    memcached_port, prefix, environment, compiles, app
):
    _, names = app
    client = TextProtocolClient(memcached_port)
    cache = bccache.MemcachedBytecodeCache(client, prefix=prefix, timeout=600)
    first = render_all(environment(cache), names)
    sets = [call for call in client.calls if call[0] == "set"]
    assert len(sets) == len(names)
    assert all(key.startswith(prefix) and timeout == 600 for _, key, timeout in sets)

    compiles.clear()
    fresh = bccache.MemcachedBytecodeCache(TextProtocolClient(memcached_port), prefix=prefix)
    assert render_all(environment(fresh), names) == first
    assert compiles == []


def test_memcached_python_client_errors_pass_through_unchanged(
    dead_port, environment, compiles, app
):
    _, names = app
    cache = bccache.MemcachedBytecodeCache(TextProtocolClient(dead_port))
    assert cache.ignore_memcache_errors is True
    expected = render_all(environment(None), names)
    assert render_all(environment(cache), names) == expected
    assert cache.stats()["errors"] >= len(names)

    cache.ignore_memcache_errors = False
    with pytest.raises(ConnectionRefusedError):
        environment(cache).get_template(names[0])
    cache.ignore_memcache_errors = True
    assert environment(cache).get_template(names[0]) is not None


def test_memcached_url_errors_follow_the_switch(dead_port, environment, app):
    _, names = app
    cache = bccache.MemcachedBytecodeCache(f"memcache://127.0.0.1:{dead_port}")
    assert environment(cache).get_template(names[0]).render(users=[])
    cache.ignore_memcache_errors = False
    with pytest.raises(bccache.BytecodeCacheError) as raised:
        environment(cache).get_template(names[1])
    assert isinstance(raised.value, OSError)


def test_memcached_bad_timeout_is_an_error():
    with pytest.raises(bccache.BytecodeCacheError, match="timeout"):
        bccache.MemcachedBytecodeCache("memcache://127.0.0.1:1", timeout=40 * 86400)


def test_redis_second_environment_loads(redis_url, prefix, environment, compiles, app):
    _, names = app
    cache = bccache.RedisBytecodeCache(redis_url, prefix=prefix, timeout=600)
    first = render_all(environment(cache), names)
    assert sorted(compiles) == names

    compiles.clear()
    other = bccache.RedisBytecodeCache(redis_url, prefix=prefix)
    assert render_all(environment(other), names) == first
    assert compiles == []
    assert other.stats()["hits"] == len(names)

    other.clear()
    compiles.clear()
    render_all(environment(bccache.RedisBytecodeCache(redis_url, prefix=prefix)), names)
    assert sorted(compiles) == names


def test_redis_errors_follow_the_switch(dead_port, environment, app):
    _, names = app
    cache = bccache.RedisBytecodeCache(f"redis://127.0.0.1:{dead_port}/0")
    assert environment(cache).get_template(names[0])
    cache.ignore_errors = False
    with pytest.raises(bccache.BytecodeCacheError):
        environment(cache).get_template(names[1])


def test_tiered_memory_then_redis_shared_by_two_machines(
    redis_url, prefix, environment, compiles, app
):
    _, names = app
    # Machine A: an empty memory tier over the fleet's Redis, compressed.
    redis_a = bccache.RedisBytecodeCache(redis_url, prefix=prefix)
    machine_a = bccache.TieredBytecodeCache(
        [bccache.MemoryBytecodeCache(16 << 20), bccache.Compressed(redis_a, 3)]
    )
    expected = render_all(environment(machine_a), names)
    assert sorted(compiles) == names

    # Machine B: its own empty memory tier, the same Redis: nothing compiles.
    compiles.clear()
    memory_b = bccache.MemoryBytecodeCache(16 << 20)
    redis_b = bccache.RedisBytecodeCache(redis_url, prefix=prefix)
    machine_b = bccache.TieredBytecodeCache([memory_b, bccache.Compressed(redis_b, 3)])
    assert render_all(environment(machine_b), names) == expected
    assert compiles == []
    assert memory_b.stats()["misses"] == len(names)
    assert redis_b.stats()["hits"] == len(names)

    # B's next environment is served by its memory tier, without Redis.
    assert render_all(environment(machine_b), names) == expected
    assert compiles == []
    assert memory_b.stats()["hits"] == len(names)
    assert redis_b.stats()["hits"] == len(names)
    stats = machine_b.stats()
    assert stats["hits"] == 2 * len(names)
    assert [tier["hits"] for tier in stats["tiers"]] == [len(names), len(names)]


def test_tier_of_a_dead_redis_keeps_serving(dead_port, environment, compiles, app, tmp_path):
    _, names = app
    disk = bccache.FileSystemBytecodeCache(tmp_path / "cache")
    dead = bccache.RedisBytecodeCache(f"redis://127.0.0.1:{dead_port}/0")
    tiers = bccache.TieredBytecodeCache([bccache.MemoryBytecodeCache(1 << 20), disk, dead])
    expected = render_all(environment(tiers), names)
    compiles.clear()
    tiers = bccache.TieredBytecodeCache([bccache.MemoryBytecodeCache(1 << 20), disk, dead])
    assert render_all(environment(tiers), names) == expected
    assert compiles == []


def test_tiers_and_wrappers_take_only_bccache_caches():
    with pytest.raises(TypeError, match="bccache cache"):
        bccache.TieredBytecodeCache([bccache.MemoryBytecodeCache(1 << 20), object()])
    with pytest.raises(TypeError, match="bccache cache"):
        bccache.Compressed(object(), 3)


def test_the_gil_is_released_while_a_store_waits(app):
    # A server that accepts connections and never answers: a load waits for the client's 1 s
    # I/O timeout inside Rust. Python code in another thread runs meanwhile.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        cache = bccache.MemcachedBytecodeCache(f"memcache://127.0.0.1:{port}")
        bucket = Bucket(None, "key", "checksum")
        waiting = threading.Thread(target=cache.load_bytecode, args=(bucket,))
        started = time.monotonic()
        waiting.start()
        spins = 0
        while time.monotonic() - started < 0.3:
            spins += 1
        assert waiting.is_alive()
        waiting.join(timeout=10)
    assert not waiting.is_alive()
    assert bucket.code is None
    assert spins > 10_000


def test_memory_tier_hands_back_code_objects(environment, compiles, app, monkeypatch):
    _, names = app
    memory = bccache.MemoryBytecodeCache(16 << 20)
    expected = render_all(environment(memory), names)
    loads = []
    original = marshal.loads

    def counting(data):
        loads.append(len(data))
        return original(data)

    monkeypatch.setattr(marshal, "loads", counting)
    assert render_all(environment(memory), names) == expected
    assert loads == []
    assert sorted(compiles) == names
    assert memory.stats()["hits"] == len(names)


def test_memory_tier_code_objects_are_bounded_and_cleared(environment, app):
    _, names = app
    small = bccache.MemoryBytecodeCache(8 << 10)
    expected = render_all(environment(small), names)
    assert render_all(environment(small), names) == expected
    assert small._codes._held <= 8 << 10
    small.clear()
    assert small._codes._held == 0 and small._codes._entries == {}


def test_python_client_store_composes_with_tiers_and_wrappers(
    memcached_port, prefix, environment, compiles, app
):
    _, names = app
    key = b"k" * 32

    def machine():
        shared = bccache.MemcachedBytecodeCache(TextProtocolClient(memcached_port), prefix=prefix)
        return bccache.TieredBytecodeCache(
            [bccache.MemoryBytecodeCache(1 << 20), bccache.Compressed(bccache.Signed(shared, key), 1)]
        )

    expected = render_all(environment(machine()), names)
    compiles.clear()
    second = machine()
    assert render_all(environment(second), names) == expected
    assert compiles == []
    assert second.stats()["tiers"][1]["hits"] == len(names)
