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
  (target: 60 flows/s). The flows go over the same bare connections as the matches: with httpx,
  the load generator took more CPU per flow than the server without its hashing, on the same two
  cores. The CPU time of each flow is printed for the server, PostgreSQL and the load generator:
  what the two cores were spent on.

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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from benchmarks.harness import Server, backend_pids, cpu_seconds, database, school_admin, serve
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

FLOWS_WARM_UP_S = 2.0

CONNECTION_LOST = 0
"""The status counted for a flow whose connection was lost."""


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

    async def request(self, method: str, path: str, body: Mapping[str, object] | None = None) -> int:
        status, _ = await self.exchange(method, path, body)
        return status

    async def exchange(
        self, method: str, path: str, body: Mapping[str, object] | None = None, token: str | None = None
    ) -> tuple[int, bytes]:
        """The answer's status and body; ``ConnectionError`` when the server closed the connection."""
        payload = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\nContent-Length: {len(payload)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        if token is not None:
            head += f"Authorization: Bearer {token}\r\n"
        self._writer.write(head.encode() + b"\r\n" + payload)
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self._reader.readexactly(length)

    def close(self) -> None:
        self._writer.close()


RawCall = Callable[[RawConnection], Awaitable[int]]
"""A call on one connection (a request, or a whole join flow): the status of its last answer."""


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


@dataclass
class Flows:
    """What the join flows gave: their answers (the last status of each flow), and the CPU time of
    the server, of PostgreSQL's backends and of this load generator over the run."""

    statuses: Counter[int] = field(default_factory=Counter)
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    client_cpu: float = 0.0

    def per_flow(self, seconds: float) -> float:
        return seconds / max(1, sum(self.statuses.values()))


async def run_flows(server: Server, database_url: str, flow: RawCall, seconds: float) -> Flows:
    """``CLIENTS`` keep-alive connections running ``flow`` over and over for ``seconds``; a connection
    the server closed counts as the status ``CONNECTION_LOST``, and is opened again."""
    flows = Flows()
    deadline = time.perf_counter() + seconds
    connections = [await RawConnection.open(server.url) for _ in range(CLIENTS)]
    backends = await backend_pids(database_url)
    server_cpu, database_cpu, client_cpu = server.cpu_seconds(), cpu_seconds(backends), time.process_time()

    async def worker(number: int) -> None:
        while time.perf_counter() < deadline:
            try:
                status = await flow(connections[number])
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed the connection as the request went out (keep-alive's race):
                # counted, and the loop goes on, as a client would try again.
                connections[number].close()
                connections[number] = await RawConnection.open(server.url)
                status = CONNECTION_LOST
            flows.statuses[status] += 1

    try:
        await asyncio.gather(*(worker(number) for number in range(CLIENTS)))
    finally:
        for connection in connections:
            connection.close()
    flows.server_cpu = server.cpu_seconds() - server_cpu
    flows.database_cpu = cpu_seconds(backends) - database_cpu
    flows.client_cpu = time.process_time() - client_cpu
    return flows


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


def join_flow(code: str, records: list[StudentRecord], taken: set[int]) -> RawCall:
    async def flow(connection: RawConnection) -> int:
        while True:
            if len(taken) == len(records):
                raise RuntimeError("every student has an account already: measure for fewer seconds")
            index = random.randrange(len(records))
            if index not in taken:
                taken.add(index)
                break
        who = identity(records[index])
        matched, _ = await connection.exchange("POST", f"/api/v1/campaigns/{code}/student-matches", who)
        if matched != 200:
            return matched
        account = {**who, "login": "username", "password": PASSWORD, "accept_terms": True}
        path = f"/api/v1/campaigns/{code}"
        created, body = await connection.exchange("POST", f"{path}/student-accounts", account)
        if created != 201:
            return created
        token = json.loads(body)["access_token"]
        started, _ = await connection.exchange("POST", f"{path}/participations", token=token)
        return started

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
            flow = join_flow(code, records, set())
            real = asyncio.run(run_flows(server, url, flow, seconds))
        # The same flows, hashing made near free, once the new server's pool is open and warm.
        with serve(url, ENVIRONMENT="test", WORKERS=workers) as cheap_server:
            asyncio.run(run_flows(cheap_server, url, flow, FLOWS_WARM_UP_S))
            fast = asyncio.run(run_flows(cheap_server, url, flow, seconds))

    live_rate, live_p50, live_p99 = summary(bare.latencies, seconds)
    match_rate, match_p50, match_p99 = summary(matched.latencies, seconds)
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
    real_rate, fast_rate = real.statuses[201] / seconds, fast.statuses[201] / seconds
    print(f"join flows (match, account, participation): {real_rate:.1f}/s, answers {dict(real.statuses)}")
    print(f"  target >= {FLOWS_TARGET:.0f}/s: {verdict(real_rate >= FLOWS_TARGET)}")
    print(f"same flows with a near-free hash:           {fast_rate:.1f}/s, answers {dict(fast.statuses)}")
    if fast_rate > 0:
        print(f"share of the flow time spent hashing passwords: {max(0.0, 1 - real_rate / fast_rate):.0%}")
    print("CPU per flow in ms (2 cores: 2,000 ms a second)   server  PostgreSQL  load generator")
    for name, flows in (("argon2id", real), ("near-free hash", fast)):
        server_cpu, database_cpu = flows.per_flow(flows.server_cpu), flows.per_flow(flows.database_cpu)
        client_cpu = flows.per_flow(flows.client_cpu)
        figures = f"{server_cpu * 1000:>6.1f} {database_cpu * 1000:>11.1f} {client_cpu * 1000:>15.1f}"
        print(f"  {name:<47} {figures}")


if __name__ == "__main__":
    main()
