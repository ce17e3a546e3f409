"""Time loading a 200-template Jinja2 application in a fresh Environment, per bytecode cache.

    python bench/bench_jinja2.py [--runs 9] [--redis-url redis://127.0.0.1:6379/0]

Rows: no cache (every template compiled), Jinja2's FileSystemBytecodeCache, bccache's
filesystem cache, bccache's memory tier and bccache's Redis cache (a redis-server is started on
a free loopback port when no --redis-url is given). Each run loads every template once in a new
Environment with a warm cache; the table shows the median of the runs.
"""

import argparse
import gc
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import jinja2
import jinja2.bccache

import bccache

TEMPLATES = 200


def write_app(root):
    """Writes the application: 2 layouts, a macro library, 200 pages; returns the page names."""
    os.makedirs(os.path.join(root, "pages"), exist_ok=True)
    files = {
        "base.html": BASE,
        "layout_wide.html": LAYOUT_WIDE,
        "macros.html": MACROS,
    }
    names = []
    for i in range(TEMPLATES - len(files)):
        name = f"pages/page_{i:03}.html"
        files[name] = page(i)
        names.append(name)
    names.extend(["base.html", "layout_wide.html", "macros.html"])
    for name, text in files.items():
        with open(os.path.join(root, name), "w", encoding="utf-8") as f:
            f.write(text)
    return names


BASE = """<!doctype html>
<html lang="{{ lang|default('en') }}">
<head>
  <meta charset="utf-8">
  <title>{% block title %}{{ site.name }}{% endblock %}</title>
  {% block head %}
  {% for sheet in site.stylesheets %}<link rel="stylesheet" href="{{ sheet }}">{% endfor %}
  {% endblock %}
</head>
<body class="{% block body_class %}{% endblock %}">
  <nav>
    <ul>
    {% for item in site.menu %}
      <li{% if item.href == request.path %} class="active"{% endif %}>
        <a href="{{ item.href }}">{{ item.title|e }}</a>
      </li>
    {% endfor %}
    </ul>
  </nav>
  <main>{% block content %}{% endblock %}</main>
  <footer>{% block footer %}&copy; {{ site.year }} {{ site.name }}{% endblock %}</footer>
</body>
</html>
"""

LAYOUT_WIDE = """{% extends "base.html" %}
{% block body_class %}wide{% endblock %}
{% block content %}
<div class="columns">
  <aside>{% block sidebar %}{% for link in sidebar_links|default([]) %}
    <a href="{{ link.href }}">{{ link.title }}</a>{% endfor %}{% endblock %}</aside>
  <section>{% block main %}{% endblock %}</section>
</div>
{% endblock %}
"""

MACROS = """{% macro field(name, value='', type='text', label=None, errors=()) -%}
  <div class="field{% if errors %} has-errors{% endif %}">
    {% if label %}<label for="{{ name }}">{{ label }}</label>{% endif %}
    <input type="{{ type }}" name="{{ name }}" id="{{ name }}" value="{{ value|e }}">
    {% for error in errors %}<p class="error">{{ error }}</p>{% endfor %}
  </div>
{%- endmacro %}

{% macro table(rows, columns) -%}
  <table>
    <thead><tr>{% for c in columns %}<th>{{ c|title }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for row in rows %}
      <tr class="{{ loop.cycle('odd', 'even') }}">
      {% for c in columns %}<td>{{ row[c]|default('-') }}</td>{% endfor %}
      </tr>
    {% else %}
      <tr><td colspan="{{ columns|length }}">nothing yet</td></tr>
    {% endfor %}
    </tbody>
  </table>
{%- endmacro %}

{% macro pager(page, pages) -%}
  <nav class="pager">
  {% if page > 1 %}<a href="?page={{ page - 1 }}">previous</a>{% endif %}
  {% for p in range(1, pages + 1) %}
    {% if p == page %}<strong>{{ p }}</strong>{% else %}<a href="?page={{ p }}">{{ p }}</a>{% endif %}
  {% endfor %}
  {% if page < pages %}<a href="?page={{ page + 1 }}">next</a>{% endif %}
  </nav>
{%- endmacro %}
"""


def page(i):
    """A page: a layout, the macros, loops and filters; pages differ in text and structure."""
    layout = "layout_wide.html" if i % 3 == 0 else "base.html"
    block = "main" if layout == "layout_wide.html" else "content"
    sections = []
    for s in range(3 + i % 5):
        sections.append(
            f"""
  <section id="s{i}-{s}">
    <h2>{{{{ _('Section {s} of page {i}') if _ is defined else 'Section {s} of page {i}' }}}}</h2>
    {{% for entry in entries|selectattr('kind', 'equalto', '{["news", "doc", "faq"][s % 3]}') %}}
      <article class="{{{{ entry.kind }}}}{{% if loop.first %}} first{{% endif %}}">
        <h3><a href="{{{{ entry.url }}}}">{{{{ entry.title|truncate({40 + s}) }}}}</a></h3>
        {{% if entry.tags %}}<ul class="tags">{{% for tag in entry.tags|sort %}}
          <li>{{{{ tag|lower }}}}</li>{{% endfor %}}</ul>{{% endif %}}
        <p>{{{{ entry.summary|striptags|wordwrap(72) }}}}</p>
        {{% set author = users[entry.author] if entry.author in users else None %}}
        {{% if author %}}<footer>by {{{{ author.name }}}} on {{{{ entry.date }}}}</footer>{{% endif %}}
      </article>
    {{% else %}}
      <p>No entries in section {s}.</p>
    {{% endfor %}}
    {{{{ forms.table(rows[{s}:], ['name', 'count', 'total']) }}}}
  </section>"""
        )
    return f"""{{% extends "{layout}" %}}
{{% import "macros.html" as forms %}}
{{% block title %}}Page {i} - {{{{ super() }}}}{{% endblock %}}
{{% block {block} %}}
  <h1>{{{{ heading|default('Page {i}') }}}}</h1>
  <form method="post" action="/pages/{i}">
    {{{{ forms.field('q{i}', query, label='Search page {i}') }}}}
    {{{{ forms.field('n{i}', count, type='number', errors=errors) }}}}
  </form>
  {{% for section in sections %}}{{{{ section.title }}}}{{% if not loop.last %}}, {{% endif %}}{{% endfor %}}
  {"".join(sections)}
  {{{{ forms.pager(page|default(1), pages|default({1 + i % 7})) }}}}
{{% endblock %}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis():
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        sys.exit("redis-server is missing: apt-get install redis-server (or pass --redis-url)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    proc.kill()
    sys.exit("redis-server did not start within 10 s")


def load_all(root, names, cache):
    """Seconds to load every template in a fresh Environment."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(root), bytecode_cache=cache)
    gc.collect()
    start = time.perf_counter()
    for name in names:
        env.get_template(name)
    return time.perf_counter() - start


def cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--compile-runs", type=int, default=3, help="runs of the no-cache row")
    parser.add_argument("--redis-url")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bccache-bench-")
    redis_proc = None
    try:
        root = os.path.join(work, "templates")
        names = write_app(root)
        redis_url = args.redis_url
        if redis_url is None:
            redis_proc, redis_url = start_redis()
        redis_cache = bccache.RedisBytecodeCache(redis_url, prefix="bench/")
        redis_cache.clear()
        rows = [
            ("no cache", lambda: None),
            ("Jinja2 FileSystemBytecodeCache", _fixed(
                jinja2.bccache.FileSystemBytecodeCache(_mkdir(work, "jinja2")))),
            ("bccache FileSystemBytecodeCache", _fixed(
                bccache.FileSystemBytecodeCache(os.path.join(work, "bccache")))),
            ("bccache MemoryBytecodeCache", _fixed(bccache.MemoryBytecodeCache(256 << 20))),
            ("bccache RedisBytecodeCache", _fixed(redis_cache)),
        ]
        for _, make in rows[1:]:
            load_all(root, names, make())  # fills the cache (and the page cache)
        # Rounds of every row in turn, so that a busy machine slows all rows alike.
        times = {label: [] for label, _ in rows}
        for round_ in range(args.runs):
            for label, make in rows:
                if label == "no cache" and round_ >= args.compile_runs:
                    continue
                times[label].append(load_all(root, names, make()))
        results = [(label, statistics.median(times[label])) for label, _ in rows]
        base = results[1][1]
        print(f"{len(names)} templates, median of {args.runs} runs ({args.compile_runs} without "
              f"a cache), Python {sys.version.split()[0]}, Jinja2 {jinja2.__version__}, "
              f"{cpu_name()} ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
        print()
        print("| cache | load all | per template | time vs Jinja2's filesystem cache |")
        print("|---|---:|---:|---:|")
        for label, seconds in results:
            if label == results[1][0]:
                versus = "1.00x"
            elif seconds > base:
                versus = f"{seconds / base:.2f}x ({seconds / base:.1f}x slower)"
            else:
                versus = f"{seconds / base:.2f}x ({base / seconds:.1f}x faster)"
            print(f"| {label} | {seconds * 1e3:.1f} ms | {seconds / len(names) * 1e6:.0f} µs "
                  f"| {versus} |")
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def _mkdir(*parts):
    path = os.path.join(*parts)
    os.makedirs(path, exist_ok=True)
    return path


def _fixed(cache):
    return lambda: cache


if __name__ == "__main__":
    main()
