"""Where the time of one ``POST student-matches`` goes, on PostgreSQL.

The app runs in this process (``create_app``, the production settings but rate limits off, as in
``bench_joining``), on a school of 3,000 imported students; the requests go through the whole ASGI
stack (middleware, validation, error handling), called as uvicorn calls it, with no HTTP client
in between, one after the other, so that no request waits for another. Measured over
``--requests`` matches, after a warm-up:

- round trips to PostgreSQL per match: the writes to its socket, counted by cProfile (the requests
  go through no socket here, so every ``socket.send`` is one message to PostgreSQL, then a wait for
  its answer: a statement, a ``BEGIN``, a ``COMMIT``, a ping), and the time spent in them;
- the CPU time of this process per match, and the same for ``GET /health/live`` (the floor: what
  every request costs, middleware and HTTP included);
- the CPU time of PostgreSQL per match: that of the backends serving the app, read from
  ``/proc`` (the WAL writer and checkpointer, shared with the machine's other databases, are not
  counted);
- time by phase (cProfile's cumulative time per match, in a separate profiled run): the use case,
  its reads and its write, and the time the process sat idle waiting for PostgreSQL.

cProfile slows Python down, so its figures are larger than the plain ones; compare phases with each
other, and before with after, not with the plain timings. The machine is shared: run it a few times.

    uv run python -m benchmarks.profile_match [--requests 500]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.bench_joining import identity, prepare
from benchmarks.harness import backend_pids, cpu_seconds, database, in_process_settings, serve

# (label, what cProfile calls the function: file suffix and function name)
PHASES = (
    ("the use case", ("domain/joining/match_student_identity.py", "__call__")),
    ("  opening the unit of work", ("infrastructure/db/unit_of_work.py", "__aenter__")),
    ("  reading the snapshot", ("infrastructure/db/repositories/student_links.py", "match_snapshot")),
    ("  reading the campaign", ("domain/campaigns/campaign_lookup.py", "campaign_by_code")),
    ("  the guard (roster, limits)", ("domain/joining/steps.py", "aim")),
    ("  identifying the student", ("domain/joining/steps.py", "identify")),
    ("  identifying the student", ("domain/joining/steps.py", "identify_among")),
    ("  the accounts (conflicts)", ("domain/joining/steps.py", "link_conflict")),
    ("  the username", ("domain/joining/steps.py", "suggest_username")),
    ("  recording the decision", ("infrastructure/db/repositories/campaigns.py", "record")),
    ("  commit", ("infrastructure/db/unit_of_work.py", "commit")),
    ("  closing the unit of work", ("infrastructure/db/unit_of_work.py", "__aexit__")),
)


class Client:
    """Calls the ASGI app directly, as uvicorn would, with nothing of an HTTP client's own cost."""

    def __init__(self, app: Any) -> None:
        self._app = app

    async def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        payload = json.dumps(body).encode() if body is not None else b""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"test"), (b"content-length", str(len(payload)).encode())]
            + ([(b"content-type", b"application/json")] if body is not None else []),
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        status = 0
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client never disconnects
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self._app(scope, receive, send)
        return status


async def run(
    database_url: str, requests: int, call: Callable[[Client], Awaitable[int]], profile: bool
) -> tuple[float, float, float, pstats.Stats | None]:
    """(CPU seconds per request, wall seconds per request, PostgreSQL's CPU seconds per request,
    the profile)"""
    from api.bootstrap import create_app

    app = create_app(in_process_settings(database_url))
    client = Client(app)
    async with app.router.lifespan_context(app):
        for _ in range(50):  # warm up: the pool, the statement caches, the roster
            await call(client)
        profiler = cProfile.Profile() if profile else None
        backends = await backend_pids(database_url)
        cpu, wall, database = time.process_time(), time.perf_counter(), cpu_seconds(backends)
        if profiler:
            profiler.enable()
        for _ in range(requests):
            status = await call(client)
            assert status in (200, 404, 409), status
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        database = cpu_seconds(backends) - database
    return cpu / requests, wall / requests, database / requests, pstats.Stats(profiler) if profiler else None


def cumulative(stats: pstats.Stats, file_suffix: str, name: str) -> tuple[int, float]:
    calls, seconds = 0, 0.0
    for (file, _, function), (_, primitive, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if file.endswith(file_suffix) and function == name:
            calls, seconds = calls + primitive, seconds + cum
    return calls, seconds


def own_time(stats: pstats.Stats, file: str, name: str) -> tuple[int, float]:
    for (path, _, function), (_, primitive, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if path == file and function == name:
            return primitive, own
    return 0, 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    requests = parser.parse_args().requests
    random.seed(11)
    with database() as url:
        with serve(url) as server:
            code, records = prepare(server.url, url)

        async def live(client: Client) -> int:
            return await client.request("GET", "/health/live")

        async def match(client: Client) -> int:
            record = records[random.randrange(len(records))]
            return await client.request("POST", f"/api/v1/campaigns/{code}/student-matches", identity(record))

        live_cpu, live_wall, _, _ = asyncio.run(run(url, requests, live, profile=False))
        match_cpu, match_wall, match_database, _ = asyncio.run(run(url, requests, match, profile=False))
        _, _, _, stats = asyncio.run(run(url, requests, match, profile=True))
    assert stats is not None

    print(f"student-matches, in process, {requests} requests one after the other, PostgreSQL")
    print(f"{'':<34} {'CPU/request':>12} {'wall/request':>13}")
    print(f"{'GET /health/live':<34} {live_cpu * 1000:>10.2f}ms {live_wall * 1000:>11.2f}ms")
    print(f"{'POST student-matches':<34} {match_cpu * 1000:>10.2f}ms {match_wall * 1000:>11.2f}ms")
    print(f"CPU of a match / CPU of a bare request: {match_cpu / live_cpu:.1f}")
    print(f"PostgreSQL's CPU per match: {match_database * 1000:.2f}ms (its backends)")
    sends, sending = own_time(stats, "~", "<method 'send' of '_socket.socket' objects>")
    print(f"round trips to PostgreSQL per match: {sends / requests:.1f}")
    print(f"  time in the send() system call:  {sending / requests * 1000:.2f}ms per match")
    print("time by phase, per match (cProfile, cumulative; slowed down by the profiler):")
    seen: set[str] = set()
    for label, (suffix, name) in PHASES:
        calls, seconds = cumulative(stats, suffix, name)
        if calls and label not in seen:
            seen.add(label)
            print(f"  {label:<34} {seconds / requests * 1000:>7.2f}ms  ({calls / requests:.1f} calls)")
    _, polling = own_time(stats, "~", "<method 'poll' of 'select.epoll' objects>")
    print(f"  {'idle, waiting for PostgreSQL':<34} {polling / requests * 1000:>7.2f}ms")


if __name__ == "__main__":
    main()
