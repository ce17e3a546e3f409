"""bccache's FileSystemBytecodeCache under real Jinja2 Environments."""

import hashlib
import os
import stat
import threading

import jinja2
import jinja2.bccache
import pytest
from conftest import render_all

import bccache


def entries(directory):
    return sorted(
        os.path.join(directory, name)
        for name in os.listdir(directory)
        if name.startswith("__jinja2_") and name.endswith(".cache")
    )


def test_it_is_a_jinja2_bytecode_cache(tmp_path):
    cache = bccache.FileSystemBytecodeCache(str(tmp_path))
    assert isinstance(cache, jinja2.BytecodeCache)
    assert cache.directory == str(tmp_path)
    assert cache.pattern == "__jinja2_%s.cache"


def test_second_environment_loads_instead_of_compiling(app, environment, compiles, tmp_path):
    _, names = app
    cache = bccache.FileSystemBytecodeCache(tmp_path / "cache")
    first = render_all(environment(cache), names)
    assert sorted(compiles) == names
    assert len(entries(cache.directory)) == len(names)

    compiles.clear()
    second = render_all(environment(bccache.FileSystemBytecodeCache(tmp_path / "cache")), names)
    assert compiles == []
    assert second == first
    assert "<li>1=0</li>" in second["pages/page_01.html"]


def test_file_names_are_jinja2s_keys(app, environment, tmp_path):
    root, names = app
    cache = bccache.FileSystemBytecodeCache(tmp_path / "cache", "app_%s.bc")
    render_all(environment(cache), names)
    jinja_cache = jinja2.bccache.BytecodeCache()
    expected = sorted(
        f"app_{jinja_cache.get_cache_key(name, os.path.join(root, *name.split('/')))}.bc"
        for name in names
    )
    assert sorted(os.listdir(cache.directory)) == expected


def test_changed_template_recompiles(app, environment, compiles, tmp_path):
    root, names = app
    directory = tmp_path / "cache"
    render_all(environment(bccache.FileSystemBytecodeCache(directory)), names)
    page = os.path.join(root, "pages", "page_03.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write('{% extends "layout.html" %}{% block body %}changed{% endblock %}')

    compiles.clear()
    rendered = render_all(environment(bccache.FileSystemBytecodeCache(directory)), names)
    assert compiles == ["pages/page_03.html"]
    assert "changed" in rendered["pages/page_03.html"]
    stats_before = bccache.FileSystemBytecodeCache(directory)
    render_all(environment(stats_before), names)
    assert stats_before.stats()["hits"] == len(names)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "empty", "flipped_payload_byte", "flipped_header_byte", "trailing_bytes", "garbage"],
)
def test_corrupted_files_are_misses(app, environment, compiles, tmp_path, damage):
    _, names = app
    directory = tmp_path / "cache"
    expected = render_all(environment(bccache.FileSystemBytecodeCache(directory)), names)
    for path in entries(str(directory)):
        with open(path, "rb") as f:
            data = bytearray(f.read())
        if damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "empty":
            data = b""
        elif damage == "flipped_payload_byte":
            data[len(data) // 2] ^= 0x40
        elif damage == "flipped_header_byte":
            data[5] ^= 0x01
        elif damage == "trailing_bytes":
            data += b"\0junk"
        else:
            data = os.urandom(len(data))
        with open(path, "wb") as f:
            f.write(data)

    compiles.clear()
    cache = bccache.FileSystemBytecodeCache(directory)
    assert render_all(environment(cache), names) == expected
    assert sorted(compiles) == names
    stats = cache.stats()
    assert stats["hits"] == 0
    assert stats["misses"] + stats["rejected"] == len(names)
    # The entries were rewritten: the next environment loads them again.
    compiles.clear()
    assert render_all(environment(bccache.FileSystemBytecodeCache(directory)), names) == expected
    assert compiles == []


def test_entry_from_another_python_is_a_miss(app, environment, compiles, tmp_path):
    _, names = app
    directory = tmp_path / "cache"
    other = bccache.FileSystemBytecodeCache(directory)
    other._store = other._store.with_fingerprint(
        bccache.FINGERPRINT.replace(b"python cpython", b"python pypy")
    )
    render_all(environment(other), names)
    assert b"marshal" in bccache.FINGERPRINT

    compiles.clear()
    cache = bccache.FileSystemBytecodeCache(directory)
    render_all(environment(cache), names)
    assert sorted(compiles) == names
    assert cache.stats()["rejected"] == len(names)


def test_jinja2_entries_are_misses(app, environment, compiles, tmp_path):
    _, names = app
    directory = tmp_path / "cache"
    jinja_cache = jinja2.bccache.FileSystemBytecodeCache(str(directory.mkdir() or directory))
    render_all(environment(jinja_cache), names)

    compiles.clear()
    render_all(environment(bccache.FileSystemBytecodeCache(directory)), names)
    assert sorted(compiles) == names


def test_default_directory_is_private(monkeypatch, tmp_path):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    cache = bccache.FileSystemBytecodeCache()
    assert cache.directory == str(tmp_path / f"_bccache-{os.getuid()}")
    info = os.lstat(cache.directory)
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == os.getuid()

    os.chmod(cache.directory, 0o777)
    bccache.FileSystemBytecodeCache(pattern="other_%s.cache")
    assert stat.S_IMODE(os.lstat(cache.directory).st_mode) == 0o700


def test_default_directory_refuses_a_symlink(monkeypatch, tmp_path):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    os.symlink(tmp_path / "elsewhere", tmp_path / f"_bccache-{os.getuid()}")
    with pytest.raises(bccache.BytecodeCacheError):
        bccache.FileSystemBytecodeCache()


def test_bad_pattern_is_an_error(tmp_path):
    with pytest.raises(bccache.BytecodeCacheError, match="pattern"):
        bccache.FileSystemBytecodeCache(tmp_path, "no_placeholder.cache")


def test_clear_removes_only_this_caches_entries(app, environment, tmp_path):
    _, names = app
    directory = tmp_path / "cache"
    cache = bccache.FileSystemBytecodeCache(directory)
    render_all(environment(cache), names)
    (directory / "notes.txt").write_text("keep me")
    cache.clear()
    assert entries(str(directory)) == []
    assert (directory / "notes.txt").read_text() == "keep me"


def test_stats_and_flush_stats(app, environment, tmp_path):
    _, names = app
    directory = tmp_path / "cache"
    cold = bccache.FileSystemBytecodeCache(directory)
    render_all(environment(cold), names)
    assert cold.stats()["misses"] == len(names)
    assert cold.stats()["stores"] == len(names)

    warm = bccache.FileSystemBytecodeCache(directory)
    render_all(environment(warm), names)
    stats = warm.stats()
    assert stats["hits"] == len(names) and stats["hit_rate"] == 1.0
    assert stats["bytes_read"] > 0
    bccache.flush_stats()
    # What `bccache stats DIR` reads: both caches' counts, added up in the directory.
    stats_files = [
        n for n in os.listdir(directory) if n.startswith(".bccache-stats-") and "." not in n[1:]
    ]
    assert len(stats_files) == 1
    lines = (directory / stats_files[0]).read_text().splitlines()
    assert "pattern __jinja2_%s.cache" in lines
    assert f"hits {len(names)}" in lines and f"misses {len(names)}" in lines


def test_keys_and_checksums_are_jinja2s(tmp_path):
    cache = bccache.FileSystemBytecodeCache(tmp_path)
    source = "h\u00e9llo {{ name }}" * 50
    key, checksum, payload = cache._store.lookup("a/b.html", "/srv/a/b.html", source)
    jinja_cache = jinja2.bccache.BytecodeCache()
    assert key == jinja_cache.get_cache_key("a/b.html", "/srv/a/b.html")
    assert checksum == jinja_cache.get_source_checksum(source)
    assert checksum == hashlib.sha1(source.encode()).hexdigest()
    assert payload is None
    assert cache._store.lookup("x", None, "")[0] == jinja_cache.get_cache_key("x")


def test_threads_share_a_cache(app, environment, tmp_path):
    _, names = app
    cache = bccache.FileSystemBytecodeCache(tmp_path / "cache")
    expected = render_all(environment(None), names)
    results, errors = [], []

    def worker():
        try:
            for _ in range(3):
                results.append(render_all(environment(cache), names))
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(results) == 12 and all(r == expected for r in results)
