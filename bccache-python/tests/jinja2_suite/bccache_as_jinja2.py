"""A pytest plugin that runs Jinja2's own bytecode-cache tests against bccache's classes.

Loaded with ``-p bccache_as_jinja2`` before any test module is imported, it points
``jinja2.bccache.FileSystemBytecodeCache`` and ``MemcachedBytecodeCache`` at bccache's, so
Jinja2's ``from jinja2.bccache import ...`` picks them up, and it refuses to run a test module
that still holds Jinja2's own classes.
"""

import jinja2.bccache

import bccache

PATCHED = {
    "FileSystemBytecodeCache": bccache.FileSystemBytecodeCache,
    "MemcachedBytecodeCache": bccache.MemcachedBytecodeCache,
}

for _name, _cls in PATCHED.items():
    setattr(jinja2.bccache, _name, _cls)


def pytest_collection_modifyitems(items):
    modules = {item.module for item in items if getattr(item, "module", None) is not None}
    for module in modules:
        for name, cls in PATCHED.items():
            if getattr(module, name, cls) is not cls:
                raise RuntimeError(f"{module.__name__}.{name} is not bccache's")
    if not modules:
        raise RuntimeError("no Jinja2 test module was collected")
