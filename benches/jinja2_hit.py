#!/usr/bin/env python3
"""The Python side of the README's Jinja2 row: a `FileSystemBytecodeCache` hit in Jinja2.

Builds the same workload as bccache's side of the row: BUCKETS templates of SOURCE_BYTES of
source each, whose compiled code marshals to PAYLOAD_BYTES, stored through Jinja2's own
`FileSystemBytecodeCache` in a fresh temporary directory. Then times `get_bucket` over all of
them (key sha1, source sha1, open and read the file, check magic and checksum, unmarshal the
code) for ROUNDS rounds, and prints one `key value` line per fact:

    jinja2 3.1.6
    python 3.11.7
    buckets 1000
    source_bytes 20480
    payload_bytes 65536
    code blob
    hit_ns <per-hit nanoseconds of round 1>
    hit_ns <... one line per round>

`--code blob` (the default) makes the code one bytes constant, so that the row compares cache
layers; `--code template` uses the template's real compiled code (see `workload`).

`examples/bench_table.rs` runs this and reads its output; `scripts/bench` installs Jinja2 with pip
when it is missing. Run it alone with `python3 benches/jinja2_hit.py --rounds 15`; with
`--interactive` it runs one round per `round` line on stdin instead, after printing `ready`.
"""

import argparse
import marshal
import platform
import sys
import tempfile
import time

try:
    import jinja2
    from jinja2 import Environment, FileSystemBytecodeCache
except ImportError:
    print("jinja2 is not installed: run `python3 -m pip install jinja2`", file=sys.stderr)
    sys.exit(3)

BLOCK = """<section id="s{n}">
  <h2>{{{{ section{n}.title|title }}}}</h2>
  {{% for item in section{n}.items %}}
  <li class="{{{{ loop.cycle('odd', 'even') }}}}">{{{{ item.name|e }}}}: {{{{ item.price|round(2) }}}}
    {{% if item.tags %}}({{{{ item.tags|join(', ') }}}}){{% endif %}}</li>
  {{% endfor %}}
</section>
"""


def workload(env, source_bytes, payload_bytes, kind):
    """A template of exactly `source_bytes` whose code marshals to exactly `payload_bytes`.

    `kind` "blob": the code is a trivial code object holding one bytes constant, so a hit costs
    what the cache layer costs (what bccache's `get_bucket` returns is bytes, too). `kind`
    "template": the code is the template's own compiled code, so a hit also pays for
    unmarshalling thousands of small objects, as a real Jinja2 hit does.
    """
    text = ""
    for n in range(10_000):
        candidate = text + BLOCK.format(n=n)
        if len(candidate) > source_bytes - 8:
            break
        if len(marshal.dumps(env.compile(candidate))) > payload_bytes - 64:
            break
        text = candidate
    # A comment fills the source up to its size without adding code.
    filler = source_bytes - len(text) - len("{##}")
    if filler < 0:
        sys.exit("jinja2_hit.py: the source size is too small for one template block")
    source = text + "{#" + "-" * filler + "#}"
    code = env.compile(source) if kind == "template" else compile("pass", "<blob>", "exec")
    # An unused constant fills the code up to its size: the marshalled payload is what a hit
    # reads and decodes.
    base = len(marshal.dumps(code))
    padding = payload_bytes - base - 5
    if padding < 0:
        sys.exit(f"jinja2_hit.py: the code of one block ({base} bytes) exceeds the payload size")
    code = code.replace(co_consts=code.co_consts + (b"\x00" * padding,))
    # The constant's own header may differ by a byte or two; settle on the exact size.
    for _ in range(8):
        size = len(marshal.dumps(code))
        if size == payload_bytes:
            break
        padding += payload_bytes - size
        code = code.replace(co_consts=code.co_consts[:-1] + (b"\x00" * padding,))
    return source, code


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=1000)
    parser.add_argument("--source-bytes", type=int, default=20 * 1024)
    parser.add_argument("--payload-bytes", type=int, default=64 * 1024)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--code", choices=["blob", "template"], default="blob")
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="after the set-up, print `ready` and run one round per `round` line read on stdin "
        "(so that a caller can interleave these rounds with its own)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bccache-jinja2-bench-") as directory:
        cache = FileSystemBytecodeCache(directory)
        env = Environment(bytecode_cache=cache)
        source, code = workload(env, args.source_bytes, args.payload_bytes, args.code)
        names = [f"templates/page{n}.html" for n in range(args.buckets)]
        for name in names:
            bucket = cache.get_bucket(env, name, None, source)
            bucket.code = code
            cache.set_bucket(bucket)

        print("jinja2", jinja2.__version__)
        print("python", platform.python_version())
        print("buckets", len(names))
        print("source_bytes", len(source.encode("utf-8")))
        print("payload_bytes", len(marshal.dumps(code)))
        print("code", args.code)
        get_bucket = cache.get_bucket

        def one_round():
            started = time.perf_counter_ns()
            for name in names:
                if get_bucket(env, name, None, source).code is None:
                    sys.exit(f"jinja2_hit.py: {name} was a miss")
            elapsed = time.perf_counter_ns() - started
            print("hit_ns", elapsed / len(names), flush=True)

        if args.interactive:
            print("ready", flush=True)
            for line in sys.stdin:
                if line.strip() != "round":
                    sys.exit(f"jinja2_hit.py: unknown command {line.strip()!r}")
                one_round()
        else:
            for _ in range(args.rounds):
                one_round()

if __name__ == "__main__":
    main()
