"""``make bench``: every benchmark, one after the other (none is part of ``make test``)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "benchmarks.bench_parse",
    "benchmarks.bench_import",
    "benchmarks.bench_rosters",
    "benchmarks.bench_joining",
    "benchmarks.bench_match_guard",
    "benchmarks.bench_gc_pause",
    "benchmarks.bench_load",
    "benchmarks.bench_webhooks",
]

for module in BENCHMARKS:
    print(f"\n=== {module}", flush=True)
    subprocess.run([sys.executable, "-m", module], check=True)
