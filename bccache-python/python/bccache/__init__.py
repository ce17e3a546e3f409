"""Jinja2 bytecode caches on bccache: every store, tier and wrapper, behind Jinja2's interface.

Each cache is a :class:`jinja2.BytecodeCache`, so ``Environment(bytecode_cache=...)`` takes it
unchanged::

    import jinja2, bccache
    shared = bccache.Signed(bccache.RedisBytecodeCache("redis://10.0.0.1:6379"), key)
    cache = bccache.TieredBytecodeCache([bccache.MemoryBytecodeCache(64 << 20), shared])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader("templates"), bytecode_cache=cache)

Keys and checksums are Jinja2's (sha1 of the name and filename, sha1 of the source); the entry
is bccache's format around ``marshal.dumps(code)``, with this interpreter's implementation,
Python version, marshal format and Jinja2 version in its fingerprint, so an entry written by
another Python (or Jinja2) is a miss. Corrupt, truncated, stale and foreign entries are misses.

A Jinja2 entry is a marshalled code object, and loading one runs whatever its author wrote:
whoever can write to a shared memcached or Redis can run code in every worker. Wrap shared
stores in :class:`Signed`; its entries load only when their MAC verifies.
"""

import atexit
import marshal
import os
import threading
import weakref

from jinja2.bccache import Bucket
from jinja2.bccache import BytecodeCache as _JinjaBytecodeCache

from ._native import FINGERPRINT
from ._native import BytecodeCacheError
from ._native import Store as _Store

__all__ = [
    "BytecodeCacheError",
    "Compressed",
    "FileSystemBytecodeCache",
    "MemcachedBytecodeCache",
    "MemoryBytecodeCache",
    "RedisBytecodeCache",
    "Signed",
    "TieredBytecodeCache",
    "FINGERPRINT",
    "flush_stats",
]

DEFAULT_PREFIX = "jinja2/bytecode/"

# Every cache made, so that flush_stats() and the exit hook reach them all.
_caches = weakref.WeakSet()


class _NativeCache(_JinjaBytecodeCache):
    """A Jinja2 bytecode cache over one bccache store (``self._store``)."""

    _store: _Store
    # Whether the class keeps Jinja2's get_cache_key and get_source_checksum: then the native
    # store computes both while it looks the entry up, in one call without the GIL.
    _jinja2_keys = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._jinja2_keys = (
            cls.get_cache_key is _JinjaBytecodeCache.get_cache_key
            and cls.get_source_checksum is _JinjaBytecodeCache.get_source_checksum
            and cls.load_bytecode is _NativeCache.load_bytecode
        )

    def _use(self, store):
        self._store = store
        _caches.add(self)

    # The code objects of an in-process tier (MemoryBytecodeCache, or a tiered cache whose
    # first tier is one), else None.
    _codes = None

    def load_bytecode(self, bucket):
        payload = self._store.load(bucket.key, bucket.checksum)
        if payload is not None:
            self._set_code(bucket, payload)

    def dump_bytecode(self, bucket):
        payload = marshal.dumps(bucket.code)
        self._store.dump(bucket.key, bucket.checksum, payload)
        if self._codes is not None:
            self._codes.keep(bucket.key, bucket.checksum, payload, bucket.code)

    def get_bucket(self, environment, name, filename, source):
        if not self._jinja2_keys:
            return super().get_bucket(environment, name, filename, source)
        key, checksum, payload = self._store.lookup(name, filename, source)
        bucket = Bucket(environment, key, checksum)
        if payload is not None:
            self._set_code(bucket, payload)
        return bucket

    def _set_code(self, bucket, payload):
        try:
            if self._codes is not None:
                bucket.code = self._codes.code(bucket.key, bucket.checksum, payload)
            else:
                bucket.code = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            # The entry verified, so this is marshal data of another build: compile again.
            bucket.reset()

    def clear(self):
        self._store.clear()
        if self._codes is not None:
            self._codes.clear()

    def stats(self):
        """Counters since the cache was made: hits, misses, stale, rejected, errors, stores,
        bytes_read, bytes_written and hit_rate, as a dict."""
        return self._store.stats()

    def flush_stats(self):
        """Writes the counts a filesystem cache keeps for ``bccache stats DIR`` now (they are
        also written about once a second on a miss or a store, and at exit)."""
        self._store.flush_stats()


class _CodeObjects:
    """The code objects rebuilt from an in-process tier's entries, so that a hit there skips
    ``marshal.loads`` (most of a Jinja2 hit). A code object is reused only for a payload equal
    to the one it was rebuilt from (a memcmp); at most ``max_bytes`` of payloads are kept,
    least recently used dropped first."""

    def __init__(self, max_bytes):
        self._max_bytes = max_bytes
        self._held = 0
        self._entries = {}  # key -> (checksum, payload, code), least recently used first
        self._lock = threading.Lock()

    def code(self, key, checksum, payload):
        with self._lock:
            found = self._entries.pop(key, None)
            if found is not None:
                self._entries[key] = found
        if found is not None and found[0] == checksum and found[1] == payload:
            return found[2]
        code = marshal.loads(payload)
        self.keep(key, checksum, payload, code)
        return code

    def keep(self, key, checksum, payload, code):
        if len(payload) > self._max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._held -= len(old[1])
            self._entries[key] = (checksum, payload, code)
            self._held += len(payload)
            while self._held > self._max_bytes:
                oldest = next(iter(self._entries))
                self._held -= len(self._entries.pop(oldest)[1])

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._held = 0


class FileSystemBytecodeCache(_NativeCache):
    """Files in ``directory``, one per template, named by ``pattern`` with its ``%s``
    replaced by the key. Without a directory: ``<temp dir>/_bccache-<uid>``, created mode 0700
    and refused when it is a symlink or another user's (Jinja2's CVE-2014-1402 rules).
    Writes are atomic; a corrupt or truncated file is a miss."""

    def __init__(self, directory=None, pattern="__jinja2_%s.cache"):
        if directory is not None:
            directory = os.fspath(directory)
        store = _Store.filesystem(directory, pattern)
        self.directory = os.fspath(store.directory)
        self.pattern = pattern
        self._use(store)


class _NetworkCache(_NativeCache):
    def _ignore_errors(self):
        return self._store.ignore_errors

    def _set_ignore_errors(self, ignore):
        self._store.set_ignore_errors(bool(ignore))


class MemcachedBytecodeCache(_NetworkCache):
    """memcached, through ``client_or_url``: a client object with ``get`` and ``set`` as
    Jinja2 takes (python-memcached, pymemcache, cachelib...), or one or more ``memcache://``
    URLs for bccache's own client (no connection until first use; a list is a cluster).

    ``ignore_memcache_errors`` (an attribute, changeable at any time): while true an error
    is a miss on load and dropped on dump; while false it is raised — a client object's own
    exception unchanged, else :class:`BytecodeCacheError`."""

    def __init__(
        self,
        client_or_url,
        prefix=DEFAULT_PREFIX,
        timeout=None,
        ignore_memcache_errors=True,
    ):
        servers, client = _servers_or_client(client_or_url)
        self.client = client
        self.servers = servers
        self.prefix = prefix
        self.timeout = timeout
        self._use(_Store.memcached(servers, client, prefix, timeout))
        self.ignore_memcache_errors = ignore_memcache_errors

    ignore_memcache_errors = property(_NetworkCache._ignore_errors, _NetworkCache._set_ignore_errors)


class RedisBytecodeCache(_NetworkCache):
    """Redis at ``url`` (a ``redis://`` URL, or a list of them; with ``cluster=True`` one seed
    node of a Redis Cluster). Keys are ``prefix + key``; ``timeout`` is an expiry in seconds.
    ``ignore_errors`` works as ``MemcachedBytecodeCache.ignore_memcache_errors``."""

    def __init__(self, url, prefix=DEFAULT_PREFIX, timeout=None, ignore_errors=True, cluster=False):
        servers = [url] if isinstance(url, str) else list(url)
        self.servers = servers
        self.prefix = prefix
        self.timeout = timeout
        self._use(_Store.redis(servers, cluster, prefix, timeout))
        self.ignore_errors = ignore_errors

    ignore_errors = property(_NetworkCache._ignore_errors, _NetworkCache._set_ignore_errors)


class MemoryBytecodeCache(_NativeCache):
    """In this process, holding at most ``max_bytes`` of entries (least recently used
    evicted). Shared by every Environment that uses it; not shared between processes. Beside
    each entry it keeps the code object rebuilt from it, so a hit skips ``marshal.loads``."""

    def __init__(self, max_bytes=64 << 20):
        self.max_bytes = max_bytes
        self._use(_Store.memory(max_bytes))
        self._codes = _CodeObjects(max_bytes)


class TieredBytecodeCache(_NativeCache):
    """``tiers``, fastest first (bccache caches): a load tries them in order and a hit fills
    the faster ones; a dump writes to all. A failing tier never stops the others."""

    def __init__(self, tiers):
        self.tiers = list(tiers)
        self._use(_Store.tiered([_store_of(tier, "a tier") for tier in self.tiers]))
        if self.tiers and isinstance(self.tiers[0], MemoryBytecodeCache):
            # A hit in any tier lands in the memory tier: its code objects serve the next one.
            self._codes = self.tiers[0]._codes

    def stats(self):
        stats = self._store.stats() or {}
        stats["tiers"] = [tier.stats() for tier in self.tiers]
        return stats


class Compressed(_NativeCache):
    """``cache`` with zstd-compressed payloads at ``level``; compressed and plain entries
    never mix."""

    def __init__(self, cache, level=3):
        self.cache = cache
        self.level = level
        self._use(_Store.compressed(_store_of(cache, "the wrapped cache"), level))


class Signed(_NativeCache):
    """``cache`` whose entries are signed with keyed BLAKE3 under ``key`` (bytes, at least 32)
    and loaded only when the MAC verifies, before a byte of them is used: a planted entry is a
    miss, never code that runs. ``also_accept`` holds older keys during a rotation. It goes
    inside ``Compressed`` (``Compressed(Signed(cache, key))``), so the MAC is checked before the
    decompressor sees a byte; wrapping a ``Compressed`` cache is refused."""

    def __init__(self, cache, key, also_accept=()):
        self.cache = cache
        self._use(
            _Store.signed(
                _store_of(cache, "the wrapped cache"),
                _key_bytes(key),
                [_key_bytes(old) for old in also_accept],
            )
        )


def _key_bytes(key):
    # Not bytes(key): bytes(32) would be a key of 32 zeros.
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError(
            "a signing key must be bytes, e.g. bytes.fromhex(os.environ[...]), "
            f"not {type(key).__name__}"
        )
    return bytes(key)


def _store_of(cache, what):
    if not isinstance(cache, _NativeCache):
        raise TypeError(f"{what} must be a bccache cache, not {type(cache).__name__}")
    return cache._store


def _servers_or_client(client_or_url):
    if isinstance(client_or_url, str):
        return [client_or_url], None
    if isinstance(client_or_url, (list, tuple)) and all(isinstance(u, str) for u in client_or_url):
        return list(client_or_url), None
    return [], client_or_url


def flush_stats():
    """Writes the counts of every live filesystem cache now (see ``bccache stats DIR``)."""
    for cache in list(_caches):
        cache.flush_stats()


@atexit.register
def _flush_at_exit():
    for cache in list(_caches):
        try:
            cache.flush_stats()
        except OSError:
            pass  # a directory removed meanwhile: nothing left to count in
