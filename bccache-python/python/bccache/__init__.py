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

    def load_bytecode(self, bucket):
        payload = self._store.load(bucket.key, bucket.checksum)
        if payload is not None:
            _set_code(bucket, payload)

    def dump_bytecode(self, bucket):
        self._store.dump(bucket.key, bucket.checksum, marshal.dumps(bucket.code))

    def get_bucket(self, environment, name, filename, source):
        if not self._jinja2_keys:
            return super().get_bucket(environment, name, filename, source)
        key, checksum, payload = self._store.lookup(name, filename, source)
        bucket = Bucket(environment, key, checksum)
        if payload is not None:
            _set_code(bucket, payload)
        return bucket

    def clear(self):
        self._store.clear()

    def stats(self):
        """Counters since the cache was made: hits, misses, stale, rejected, errors, stores,
        bytes_read, bytes_written and hit_rate, as a dict."""
        return self._store.stats()

    def flush_stats(self):
        """Writes the counts a filesystem cache keeps for ``bccache stats DIR`` now (they are
        also written about once a second on a miss or a store, and at exit)."""
        self._store.flush_stats()


def _set_code(bucket, payload):
    try:
        bucket.code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        # The entry verified, so this is marshal data of another build: compile again.
        bucket.reset()


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
    evicted). Shared by every Environment that uses it; not shared between processes."""

    def __init__(self, max_bytes=64 << 20):
        self.max_bytes = max_bytes
        self._use(_Store.memory(max_bytes))


class TieredBytecodeCache(_NativeCache):
    """``tiers``, fastest first (bccache caches): a load tries them in order and a hit fills
    the faster ones; a dump writes to all. A failing tier never stops the others."""

    def __init__(self, tiers):
        self.tiers = list(tiers)
        self._use(_Store.tiered([_store_of(tier, "a tier") for tier in self.tiers]))

    def stats(self):
        stats = self._store.stats()
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
    miss, never code that runs. ``also_accept`` holds older keys during a rotation."""

    def __init__(self, cache, key, also_accept=()):
        if isinstance(key, str):
            raise TypeError("the signing key must be bytes, e.g. bytes.fromhex(os.environ[...])")
        self.cache = cache
        self._use(
            _Store.signed(
                _store_of(cache, "the wrapped cache"),
                bytes(key),
                [bytes(old) for old in also_accept],
            )
        )


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
