"""Joining a campaign over HTTP against ``pix-orga serve`` on PostgreSQL: an organization of 3,000
imported students, 50 concurrent clients.

- ``student-matches``: p50 and p99 latency and throughput, next to ``GET /health/live`` measured in
  the same run with the same clients (targets: matches at >= 0.3 times the bare request rate, p99
  under 150 ms); the two take ``SLICES`` turns each on the same keep-alive connections, so that a
  machine whose speed drifts during the run slows both alike, and only the calls answered within
  a turn count;
- full join flows (match → account → participation) per second, with the production password
  hashing (argon2id, 19 MiB, t=2), and the share of that time spent hashing: the same flows with a
  near-free hash run on a second server, and the share is ``1 - rate(real) / rate(near free)``
  (target: 60 flows/s).

Rate limits are off (the harness disables them): this measures the work, not the guard.

    make bench            (or: uv run python -m benchmarks.bench_joining --seconds 10 [--workers 2])
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from benchmarks.harness import Server, database, school_admin, serve
from domain.students.siecle import StudentRecord
from tests.support.api import db_execute
from tests.support.siecle_generator import build_siecle

STUDENTS = 3_000
CLIENTS = 50
RATIO_TARGET = 0.3
P99_TARGET_S = 0.150
FLOWS_TARGET = 60.0
PASSWORD = "Eleve2024x"

SLICES = 5
"""Turns of the bare request and of the match, alternated, each lasting a fifth of ``--seconds``."""

CONNECTION_LOST = 0
"""The status counted for a flow whose connection was lost."""

Call = Callable[[httpx.AsyncClient, int], Awaitable[int]]


def identity(record: StudentRecord) -> dict[str, str]:
    return {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "birthdate": record.birthdate.isoformat(),
    }


class RawConnection:
    """A bare HTTP/1.1 keep-alive connection: a load generator light enough that the server, not the
    client, is what is measured (httpx costs more CPU per request than the endpoint served)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> RawConnection:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, parts.netloc)

    async def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        payload = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Length: {len(payload)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        self._writer.write(head.encode() + b"\r\n" + payload)
        status_line = await self._reader.readline()
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self._reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self._writer.close()


RawCall = Callable[[RawConnection], Awaitable[int]]


@dataclass
class Measure:
    """What one kind of request gave over the turns: the latencies and answers of the calls answered
    within a turn, and the server's CPU time over all the calls it served, with their number."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    cpu_seconds: float = 0.0
    served: int = 0

    @property
    def cpu_per_request(self) -> float:
        return self.cpu_seconds / max(1, self.served)


async def drive(connections: list[RawConnection], call: RawCall, seconds: float, measure: Measure) -> None:
    """Each connection calls ``call`` for ``seconds``, then waits for its last answer: a call answered
    after the end is served (its CPU is in the turn's) but not counted in the rate, which counted up
    to one call per connection and turn too many."""
    deadline = time.perf_counter() + seconds

    async def worker(connection: RawConnection) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = await call(connection)
            answered = time.perf_counter()
            measure.served += 1
            if answered <= deadline:
                measure.statuses[status] += 1
                measure.latencies.append(answered - started)

    await asyncio.gather(*(worker(connection) for connection in connections))


async def alternate(server: Server, calls: Sequence[RawCall], seconds: float, turns: int) -> list[Measure]:
    """``calls`` in turns on the same ``CLIENTS`` keep-alive connections, each for ``seconds`` in all,
    cut in ``turns`` turns; the server's CPU time is read around each turn."""
    measures = [Measure() for _ in calls]
    connections = [await RawConnection.open(server.url) for _ in range(CLIENTS)]
    try:
        for _ in range(turns):
            for call, measure in zip(calls, measures, strict=True):
                before = server.cpu_seconds()
                await drive(connections, call, seconds / turns, measure)
                measure.cpu_seconds += server.cpu_seconds() - before
    finally:
        for connection in connections:
            connection.close()
    return measures


async def load(
    url: str, call: Call, seconds: float, clients: int = CLIENTS
) -> tuple[list[float], Counter[int]]:
    """``clients`` httpx loops calling ``call`` for ``seconds`` (the multi-request join flows); a
    connection lost counts as the status ``CONNECTION_LOST``."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker(number: int) -> None:
            turn = 0
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    status = await call(client, number * 1_000_000 + turn)
                except httpx.TransportError:
                    # A connection the server closed as the request went out (keep-alive's race):
                    # counted, and the loop goes on, as a client would try again.
                    status = CONNECTION_LOST
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1
                turn += 1

        await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies, statuses


def summary(latencies: Sequence[float], seconds: float) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(ordered) / seconds, statistics.median(ordered), p99


def prepare(url: str, database_url: str) -> tuple[str, list[StudentRecord]]:
    """A school with the generated students imported, and a campaign; the students' identities."""
    generated = build_siecle(STUDENTS, seed=5, all_kept=True)
    with httpx.Client(base_url=url, timeout=120) as client:
        org, token = school_admin(client, database_url, uai=generated.uai)
        headers = {"Authorization": f"Bearer {token}"}
        imported = client.post(
            f"/api/v1/organizations/{org['id']}/student-imports",
            files={"file": ("ElevesSansAdresses.xml", generated.xml, "application/xml")},
            headers=headers,
        )
        if imported.status_code != 201:
            raise RuntimeError(f"import failed: {imported.status_code} {imported.text[:300]}")
        campaign = client.post(
            f"/api/v1/organizations/{org['id']}/campaigns",
            json={"name": "Benchmark", "type": "ASSESSMENT"},
            headers=headers,
        )
        campaign.raise_for_status()
    # The planner's statistics as autovacuum leaves them a minute after an import: without them,
    # the first minute's plans read the whole school to find the pupils born on a day.
    db_execute(database_url, "ANALYZE")
    return str(campaign.json()["code"]), generated.expected_records()


def join_flow(code: str, records: list[StudentRecord], taken: set[int]) -> Call:
    async def flow(client: httpx.AsyncClient, _: int) -> int:
        while True:
            index = random.randrange(len(records))
            if index not in taken:
                taken.add(index)
                break
        who = identity(records[index])
        matched = await client.post(f"/api/v1/campaigns/{code}/student-matches", json=who)
        if matched.status_code != 200:
            return matched.status_code
        created = await client.post(
            f"/api/v1/campaigns/{code}/student-accounts",
            json={**who, "login": "username", "password": PASSWORD, "accept_terms": True},
        )
        if created.status_code != 201:
            return created.status_code
        token = created.json()["access_token"]
        started = await client.post(
            f"/api/v1/campaigns/{code}/participations", headers={"Authorization": f"Bearer {token}"}
        )
        return started.status_code

    return flow


def verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="duration of each measure")
    parser.add_argument("--workers", type=int, default=1, help="pix-orga serve's worker processes")
    arguments = parser.parse_args()
    seconds, workers = arguments.seconds, str(arguments.workers)
    random.seed(7)
    print(
        f"Joining over HTTP, pix-orga serve ({workers} worker(s)) on PostgreSQL, "
        f"{STUDENTS} students, {CLIENTS} clients"
    )
    with database() as url:
        with serve(url, ENVIRONMENT="development", WORKERS=workers) as server:
            code, records = prepare(server.url, url)

            async def live(connection: RawConnection) -> int:
                return await connection.request("GET", "/health/live")

            async def matches(connection: RawConnection) -> int:
                record = records[random.randrange(len(records))]
                return await connection.request(
                    "POST", f"/api/v1/campaigns/{code}/student-matches", identity(record)
                )

            # Warm up both: the pool's connections, their prepared statements, the school's roster of
            # names the matching guard prepares once: a steady state, not the server's first seconds.
            asyncio.run(alternate(server, [live, matches], 4, 1))
            bare, matched = asyncio.run(alternate(server, [live, matches], seconds, SLICES))
            taken: set[int] = set()
            _, real_statuses = asyncio.run(load(server.url, join_flow(code, records, taken), seconds))
        # The same flows, hashing made near free.
        with serve(url, ENVIRONMENT="test", WORKERS=workers) as cheap_server:
            _, fast_statuses = asyncio.run(load(cheap_server.url, join_flow(code, records, taken), seconds))

    live_rate, live_p50, live_p99 = summary(bare.latencies, seconds)
    match_rate, match_p50, match_p99 = summary(matched.latencies, seconds)
    real_done = real_statuses[201]
    fast_done = fast_statuses[201]
    print(f"{'':<26} {'req/s':>8} {'p50':>9} {'p99':>9} {'server CPU/req':>15}")
    for name, rate, p50, p99, cpu in (
        ("GET /health/live", live_rate, live_p50, live_p99, bare.cpu_per_request),
        ("POST student-matches", match_rate, match_p50, match_p99, matched.cpu_per_request),
    ):
        print(f"{name:<26} {rate:>8.0f} {p50 * 1000:>7.1f}ms {p99 * 1000:>7.1f}ms {cpu * 1000:>13.2f}ms")
    ratio = match_rate / live_rate
    print(f"ratio matches / live: {ratio:.2f} (target >= {RATIO_TARGET}: {verdict(ratio >= RATIO_TARGET)})")
    p99_met = verdict(match_p99 < P99_TARGET_S)
    print(f"p99 of student-matches: {match_p99 * 1000:.0f}ms (target < 150 ms: {p99_met})")
    print(f"student-matches answers: {dict(matched.statuses)}")
    real_rate, fast_rate = real_done / seconds, fast_done / seconds
    print(f"join flows (match, account, participation): {real_rate:.1f}/s, answers {dict(real_statuses)}")
    print(f"  target >= {FLOWS_TARGET:.0f}/s: {verdict(real_rate >= FLOWS_TARGET)}")
    print(f"same flows with a near-free hash:           {fast_rate:.1f}/s, answers {dict(fast_statuses)}")
    if fast_rate > 0:
        print(f"share of the flow time spent hashing passwords: {max(0.0, 1 - real_rate / fast_rate):.0%}")


if __name__ == "__main__":
    main()
