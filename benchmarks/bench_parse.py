"""Bare parse time of generated SIECLE exports: the baseline of the HTTP import benchmark.

Reads 2,000 and 20,000 generated students, as XML and zipped, with the service's reader (no check, no
database) and prints the median of several runs. ``bare_parse_seconds`` is what the import
benchmark calls on the very file it uploads, to print its ratio to the bare parse.

    uv run python benchmarks/bench_parse.py [--runs 7]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from infrastructure.siecle.reader import read_siecle_upload
from tests.support.siecle_generator import generate_siecle, zip_bytes

NO_CAP = 1 << 40
SIZES = (2_000, 20_000)


def bare_parse_seconds(data: bytes, runs: int, *, best: bool = False) -> float:
    """Median (``best``: shortest) wall time of ``runs`` reads of ``data`` (XML or zip) by the
    service's reader."""
    durations = []
    for _ in range(runs):
        upload = io.BytesIO(data)
        started = time.perf_counter()
        read_siecle_upload(upload, max_upload_bytes=NO_CAP, max_xml_bytes=NO_CAP)
        durations.append(time.perf_counter() - started)
    return min(durations) if best else statistics.median(durations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="runs per file (median printed)")
    runs = parser.parse_args().runs
    print(f"{'students':>8}  {'format':<6} {'size':>9}  {'median':>8}  {'per student':>11}")
    for students in SIZES:
        started = time.perf_counter()
        xml = generate_siecle(students, seed=42)
        generated_in = time.perf_counter() - started
        for label, data in (("xml", xml), ("zip", zip_bytes(xml))):
            seconds = bare_parse_seconds(data, runs)
            print(
                f"{students:>8}  {label:<6} {len(data) / 1e6:>7.1f}MB  {seconds * 1000:>6.0f}ms"
                f"  {seconds / students * 1e6:>9.1f}µs"
            )
        print(f"{'':>8}  (generated in {generated_in * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
