"""SIECLE import over HTTP against ``pix-orga serve`` on PostgreSQL, with generated files.

For 2,000 students (a large lycée): first import and re-import of the same file; for 20,000
(zipped): first import and the server's peak memory. Each figure is the median of several
runs, printed with its ratio to the bare parse time of the same file measured in the same run.

    make bench            (or: uv run python -m benchmarks.bench_import --runs 5)
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from benchmarks.bench_parse import bare_parse_seconds
from benchmarks.harness import database, school_admin, serve
from tests.support.siecle_generator import generate_siecle, zip_bytes

TARGETS = {"2000 first": 0.5, "2000 again": 0.3, "20000 first (zip)": 4.0}
RATIO_TARGET = 4.0
MEMORY_TARGET_MB = 400


def upload(client: httpx.Client, org_id: int, token: str, data: bytes, name: str) -> float:
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/organizations/{org_id}/student-imports",
        files={"file": (name, data, "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
        params={"confirm_disable": "true"},
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"import failed: {response.status_code} {response.text[:300]}")
    return elapsed


def measure(runs: int) -> list[tuple[str, float, float, float | None]]:
    xml_2k = generate_siecle(2_000, seed=1)
    zip_20k = zip_bytes(generate_siecle(20_000, seed=2, uai="0757654B"))
    parse_2k = bare_parse_seconds(xml_2k, runs)
    parse_20k = bare_parse_seconds(zip_20k, runs)
    first_2k, again_2k, first_20k, peaks = [], [], [], []
    for run in range(runs):
        with (
            database() as url,
            serve(url) as server,
            httpx.Client(base_url=server.url, timeout=120) as client,
        ):
            org, token = school_admin(client, url, uai="0751234A")
            first_2k.append(upload(client, int(org["id"]), token, xml_2k, "ElevesSansAdresses.xml"))
            again_2k.append(upload(client, int(org["id"]), token, xml_2k, "ElevesSansAdresses.xml"))
            big, big_token = school_admin(
                client,
                url,
                admin_email=f"chef{run}@lycee-b.fr",
                uai="0757654B",
                email="ce.0757654b@ac-paris.fr",
                name="Lycée B",
            )
            first_20k.append(upload(client, int(big["id"]), big_token, zip_20k, "ElevesSansAdresses.zip"))
            peaks.append(server.peak_rss_mb())
    return [
        ("2000 first", statistics.median(first_2k), parse_2k, None),
        ("2000 again", statistics.median(again_2k), parse_2k, None),
        ("20000 first (zip)", statistics.median(first_20k), parse_20k, max(peaks)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"SIECLE import over HTTP, pix-orga serve on PostgreSQL, median of {runs} runs")
    print(f"{'case':<20} {'median':>8} {'target':>8} {'bare parse':>11} {'ratio':>6} {'peak RSS':>9}")
    for case, seconds, parse, peak in measure(runs):
        ok = "ok" if seconds <= TARGETS[case] and seconds / parse <= RATIO_TARGET else "MISSED"
        memory = f"{peak:>6.0f} MB" if peak is not None else ""
        print(
            f"{case:<20} {seconds:>7.3f}s {TARGETS[case]:>7.1f}s {parse:>10.3f}s {seconds / parse:>5.1f}x"
            f" {memory:>9}  {ok}"
        )
    print(
        f"targets: time as listed, ratio <= {RATIO_TARGET}x the bare parse, peak RSS < {MEMORY_TARGET_MB} MB"
    )


if __name__ == "__main__":
    main()
