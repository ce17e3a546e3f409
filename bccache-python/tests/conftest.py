"""Fixtures: template applications, a compile counter, and real memcached and Redis servers.

The servers are started on free 127.0.0.1 ports and stopped after the session. A missing
binary fails the test (never skips) with the command that installs it.
"""

import os
import pwd
import shutil
import socket
import subprocess
import time
import uuid

import jinja2
import pytest

PAGES = 40


def write_app(root, pages=PAGES):
    """A small application: a layout, a macro library and `pages` pages that extend the
    layout, import the macros and loop. Returns every template name."""
    os.makedirs(os.path.join(root, "pages"), exist_ok=True)
    files = {
        "layout.html": (
            "<html><title>{% block title %}site{% endblock %}</title>\n"
            "<body>{% block body %}{% endblock %}</body></html>\n"
        ),
        "macros.html": (
            "{% macro item(name, value) %}<li>{{ name }}={{ value }}</li>{% endmacro %}\n"
            "{% macro listing(values) %}<ul>{% for v in values %}"
            "{{ item(loop.index, v) }}{% endfor %}</ul>{% endmacro %}\n"
        ),
    }
    for i in range(pages):
        files[f"pages/page_{i:02}.html"] = (
            '{% extends "layout.html" %}{% import "macros.html" as m %}\n'
            f"{{% block title %}}page {i}{{% endblock %}}\n"
            "{% block body %}"
            f"<h1>Page {i}</h1>{{{{ m.listing(range({i % 7 + 1})) }}}}"
            f"{{% for user in users %}}<p>{{{{ user|upper }}}} on page {i}</p>{{% endfor %}}"
            "{% endblock %}\n"
        )
    for name, text in files.items():
        with open(os.path.join(root, name), "w", encoding="utf-8") as f:
            f.write(text)
    return sorted(files)


def render_all(env, names):
    """Every template rendered, by name."""
    return {name: env.get_template(name).render(users=["ada", "grace"]) for name in names}


@pytest.fixture
def app(tmp_path):
    """(template directory, template names) of a fresh application."""
    root = str(tmp_path / "templates")
    return root, write_app(root)


@pytest.fixture
def environment(app):
    """A factory of fresh Environments on the application with a given bytecode cache."""
    root, _ = app

    def make(cache):
        return jinja2.Environment(loader=jinja2.FileSystemLoader(root), bytecode_cache=cache)

    return make


@pytest.fixture
def compiles(monkeypatch):
    """A list that holds the name of every template Jinja2 compiles from source."""
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def _binary(name, package):
    path = shutil.which(name) or f"/usr/bin/{name}"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"{name} is not installed: install it with `sudo apt-get install {package}` "
            "(scripts/test installs it when missing)",
            pytrace=False,
        )
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(argv, port):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{argv[0]} exited with {proc.returncode} at start", pytrace=False)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.02)
    proc.kill()
    pytest.fail(f"{argv[0]} did not accept connections on port {port} within 10 s", pytrace=False)


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def memcached_port():
    binary = _binary("memcached", "memcached")
    port = free_port()
    argv = [binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "64"]
    if os.getuid() == 0:
        argv += ["-u", pwd.getpwuid(0).pw_name]  # memcached refuses to run as root without it
    proc = _serve(argv, port)
    yield port
    _stop(proc)


@pytest.fixture(scope="session")
def redis_url():
    binary = _binary("redis-server", "redis-server")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = _serve(argv, port)
    yield f"redis://127.0.0.1:{port}/0"
    _stop(proc)


@pytest.fixture
def prefix():
    """A key prefix of this test's own on the shared servers."""
    return f"test/{uuid.uuid4().hex}/"


@pytest.fixture
def dead_port():
    """A loopback port nothing listens on."""
    return free_port()
