"""SIECLE import over HTTP against ``pix-orga serve`` on PostgreSQL, with generated files.

For 2,000 students (a large lycée): first import and re-import of the same file; for 20,000
(zipped): first import and the server's peak memory. Each run times its imports next to the bare
parse of the same file, taken just before them (the best of three reads of the 2,000; one read of
the 20,000, which takes seconds): a machine whose speed drifts during the benchmark slows both
sides of a run's ratio alike. Printed: the median time, the median bare parse, and the median and
the best of the runs' ratios.

A school's first import is timed on a server that has imported another school's file before, as a
server in service has: the very first import of a process also pays what no later one does
(SQLAlchemy compiles each statement once a process, lxml sets up its first parse), and is printed
apart, without a target.

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

NEW_SERVER = "2000, server's first"
TARGETS = {"2000 first": 0.5, "2000 again": 0.3, "20000 first (zip)": 4.0}
RATIO_TARGETS = {"2000 first": 2.0, "2000 again": 1.5, "20000 first (zip)": 4.0}
"""Times the bare parse of the same file, at most."""
PARSES_PER_RUN = 3
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


Case = tuple[str, list[float], list[float], float | None]
"""A case's name, its runs' times, the bare parse next to each run, the peak memory."""


def measure(runs: int) -> list[Case]:
    xml_2k = generate_siecle(2_000, seed=1)
    xml_before = generate_siecle(2_000, seed=3, uai="0753333C")
    zip_20k = zip_bytes(generate_siecle(20_000, seed=2, uai="0757654B"))
    new_server, first_2k, again_2k, first_20k, peaks = [], [], [], [], []
    parse_2k, parse_20k = [], []
    for run in range(runs):
        with (
            database() as url,
            serve(url) as server,
            httpx.Client(base_url=server.url, timeout=120) as client,
        ):
            org, token = school_admin(client, url, uai="0751234A")
            before, before_token = school_admin(
                client,
                url,
                admin_email=f"chef{run}@college-c.fr",
                uai="0753333C",
                email="ce.0753333c@ac-paris.fr",
                name="Collège C",
            )
            parse_2k.append(bare_parse_seconds(xml_2k, PARSES_PER_RUN, best=True))
            new_server.append(
                upload(client, int(str(before["id"])), before_token, xml_before, "ElevesSansAdresses.xml")
            )
            first_2k.append(upload(client, int(str(org["id"])), token, xml_2k, "ElevesSansAdresses.xml"))
            again_2k.append(upload(client, int(str(org["id"])), token, xml_2k, "ElevesSansAdresses.xml"))
            big, big_token = school_admin(
                client,
                url,
                admin_email=f"chef{run}@lycee-b.fr",
                uai="0757654B",
                email="ce.0757654b@ac-paris.fr",
                name="Lycée B",
            )
            parse_20k.append(bare_parse_seconds(zip_20k, 1))
            big_id = int(str(big["id"]))
            first_20k.append(upload(client, big_id, big_token, zip_20k, "ElevesSansAdresses.zip"))
            peaks.append(server.peak_rss_mb())
    return [
        (NEW_SERVER, new_server, parse_2k, None),
        ("2000 first", first_2k, parse_2k, None),
        ("2000 again", again_2k, parse_2k, None),
        ("20000 first (zip)", first_20k, parse_20k, max(peaks)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"SIECLE import over HTTP, pix-orga serve on PostgreSQL, {runs} runs")
    print(
        f"{'case':<20} {'median':>8} {'target':>7} {'bare parse':>11} {'ratio':>6} {'best':>6}"
        f" {'target':>7} {'peak RSS':>9}"
    )
    for case, times, parses, peak in measure(runs):
        ratios = [seconds / parse for seconds, parse in zip(times, parses, strict=True)]
        seconds, ratio = statistics.median(times), statistics.median(ratios)
        memory = f"{peak:>6.0f} MB" if peak is not None else ""
        time_target, ratio_target, verdict = "", "", "(no target)"
        if case in TARGETS:
            time_target, ratio_target = f"{TARGETS[case]:.1f}s", f"{RATIO_TARGETS[case]:.1f}x"
            verdict = "ok" if seconds <= TARGETS[case] and ratio <= RATIO_TARGETS[case] else "MISSED"
        print(
            f"{case:<20} {seconds:>7.3f}s {time_target:>7} {statistics.median(parses):>10.3f}s"
            f" {ratio:>5.2f}x {min(ratios):>5.2f}x {ratio_target:>7} {memory:>9}  {verdict}"
        )
    print(
        "targets: the time and the median ratio to the bare parse as listed,"
        f" peak RSS < {MEMORY_TARGET_MB} MB"
    )


if __name__ == "__main__":
    main()
