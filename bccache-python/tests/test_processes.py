"""4 processes render together on a cold cache, as a prefork server's workers do."""

import multiprocessing
import os
import random

import jinja2
from conftest import render_all

import bccache

WORKERS = 4


def worker(root, names, directory, barrier, seed):
    # Each worker makes its own cache after the fork, as a prefork server's worker would.
    cache = bccache.FileSystemBytecodeCache(directory)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), bytecode_cache=cache)
    order = list(names)
    random.Random(seed).shuffle(order)
    barrier.wait(timeout=60)
    rendered = render_all(env, order)
    cache.flush_stats()
    return rendered, cache.stats()


def test_four_processes_on_a_cold_cache(app, environment, compiles, tmp_path):
    root, names = app
    directory = str(tmp_path / "cache")
    expected = render_all(environment(None), names)

    context = multiprocessing.get_context("fork")
    with context.Manager() as manager:
        barrier = manager.Barrier(WORKERS)
        with context.Pool(WORKERS) as pool:
            pending = [
                pool.apply_async(worker, (root, names, directory, barrier, seed))
                for seed in range(WORKERS)
            ]
            results = [p.get(timeout=120) for p in pending]

    for rendered, _ in results:
        assert rendered == expected
    assert sum(stats["stores"] for _, stats in results) >= len(names)
    assert all(stats["rejected"] == 0 and stats["errors"] == 0 for _, stats in results)

    # No broken entry: every file is a hit for a fresh environment, no temporary file is left.
    compiles.clear()
    cache = bccache.FileSystemBytecodeCache(directory)
    assert render_all(environment(cache), names) == expected
    assert compiles == []
    assert cache.stats()["hits"] == len(names) and cache.stats()["rejected"] == 0
    assert not [name for name in os.listdir(directory) if name.endswith(".tmp")]
