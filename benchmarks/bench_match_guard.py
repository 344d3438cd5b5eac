"""What the matching guard costs in a school of 5,000 pupils, on PostgreSQL.

Every matching request (``student-matches``, ``student-accounts``, ``student-links`` with names) looks
for the students it is aimed at: the school's active students whose names are close to the typed
ones, whatever their birthdate. The guard keeps each school's roster prepared (names normalised)
until its revision changes. Measured here:

- the revision query (every request, unless the match's own read brought it);
- reading the roster (the names of 5,000 active students) and preparing it, when it changed;
- finding the students aimed at in the prepared roster (every request);
- ``POST student-matches`` over HTTP, one client after the other, next to ``GET /health/live``,
  with the rate limits on, as in production.

    uv run python -m benchmarks.bench_match_guard
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable

import httpx

from benchmarks.harness import database, school_admin, serve
from domain.joining.matching import Roster, TypedIdentity
from infrastructure.db.engine import create_engine
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.support.siecle_generator import build_siecle

STUDENTS = 5_000
REQUESTS = 300


def milliseconds(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms"


def timed(call: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


async def roster_costs(database_url: str, organization_id: int, typed: TypedIdentity) -> None:
    engine = create_engine(database_url)
    versions: list[float] = []
    reads: list[float] = []
    try:
        async with SqlUnitOfWork(engine) as uow:
            for _ in range(50):
                started = time.perf_counter()
                await uow.student_links.roster_version(organization_id)
                versions.append(time.perf_counter() - started)
            for _ in range(20):
                started = time.perf_counter()
                students = await uow.student_links.active_roster(organization_id)
                reads.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    print(f"revision query:                           {milliseconds(versions)}")
    print(f"read the roster ({len(students)} active students): {milliseconds(reads)}")
    cold = timed(lambda: Roster(students), 1)
    print(f"prepare it, names never normalised:       {cold[0] * 1000:6.2f} ms")
    print(f"prepare it again (normalised names kept): {milliseconds(timed(lambda: Roster(students), 20))}")
    roster = Roster(students)
    aiming = timed(lambda: roster.aimed_at(typed), 500)
    print(f"students aimed at, prepared roster:       {milliseconds(aiming)}")


def main() -> None:
    random.seed(3)
    generated = build_siecle(STUDENTS, seed=11, all_kept=True)
    records = generated.expected_records()
    print(f"Matching guard, {STUDENTS} students, PostgreSQL")
    with (
        database() as url,
        serve(url, RATE_LIMITS_ENABLED="true") as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        org, token = school_admin(client, url, uai=generated.uai)
        headers = {"Authorization": f"Bearer {token}"}
        imported = client.post(
            f"/api/v1/organizations/{org['id']}/student-imports",
            files={"file": ("ElevesSansAdresses.xml", generated.xml, "application/xml")},
            headers=headers,
        )
        imported.raise_for_status()
        code = client.post(
            f"/api/v1/organizations/{org['id']}/campaigns",
            json={"name": "Benchmark", "type": "ASSESSMENT"},
            headers=headers,
        ).json()["code"]
        one = records[0]
        asyncio.run(roster_costs(url, int(str(org["id"])), TypedIdentity(one.first_name, one.last_name)))

        def match() -> None:
            who = records[random.randrange(len(records))]
            body = {"first_name": who.first_name, "last_name": who.last_name}
            answer = client.post(
                f"/api/v1/campaigns/{code}/student-matches",
                json={**body, "birthdate": who.birthdate.isoformat()},
            )
            assert answer.status_code == 200, answer.text

        def live() -> None:
            client.get("/health/live")

        timed(match, 20)  # warm up
        print(f"GET /health/live:           {milliseconds(timed(live, REQUESTS))}")
        print(f"POST student-matches (200): {milliseconds(timed(match, REQUESTS))}")


if __name__ == "__main__":
    main()
