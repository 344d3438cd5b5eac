"""Where the time of a 2,000-student SIECLE import goes, on PostgreSQL, phase by phase.

The app runs in this process (``create_app``, the production settings but rate limits off), called
through httpx's ASGI transport; each run imports the generated file into an empty school (a first
import), then the same file again, and the school's students are deleted before the next run. The
bare parse of the same file (the best of three reads, ``bench_parse``) is taken at the start of
each run, as ``bench_import`` does. Printed for each kind of import and each phase: its median wall
time over the runs and every run's, the phases being the use case's steps (a phase that runs in a
worker thread counts its wait too), and the request's ratio to the bare parse. No profiler: the
times are the plain ones.

    uv run python -m benchmarks.profile_import [--runs 6]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from api.bootstrap import create_app
from benchmarks.bench_parse import bare_parse_seconds
from benchmarks.harness import database, in_process_settings, school_admin, serve
from domain.students.import_students import ImportStudents
from infrastructure.db.repositories.students import SqlStudentRepository
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.support.api import db_execute
from tests.support.siecle_generator import generate_siecle

STUDENTS = 2_000
BARE_PARSE = "bare parse (best of 3)"
OVER_HTTP = "the request, over ASGI"
READING = "  reading the file (parse, hash)"
PHASES: tuple[tuple[str, type[Any], str], ...] = (
    ("the use case, whole", ImportStudents, "__call__"),
    ("  access check", ImportStudents, "_check_access"),
    ("  the writing transaction, whole", ImportStudents, "_write"),
    ("    the import lock", SqlStudentRepository, "try_lock_imports"),
    ("    reading the stored students", SqlStudentRepository, "stored_for_import"),
    ("    accounts of the arrivals", ImportStudents, "_returning_accounts"),
    ("    the insert", SqlStudentRepository, "insert_many"),
    ("    the updates", SqlStudentRepository, "update_many"),
    ("    the commit", SqlUnitOfWork, "commit"),
)

KINDS = ("first import", "same file again")


class Timings:
    """The times of each phase, by kind of import (``kind``: the one under way)."""

    def __init__(self) -> None:
        self.kind = KINDS[0]
        self.seconds: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        self.labels: list[str] = []

    def add(self, label: str, seconds: float) -> None:
        if label not in self.labels:
            self.labels.append(label)
        self.seconds[(self.kind, label)].append(seconds)


def timed(timings: Timings, label: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    @functools.wraps(function)
    async def measured(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            timings.add(label, time.perf_counter() - started)

    return measured


def timed_sync(timings: Timings, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def measured(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings.add(label, time.perf_counter() - started)

    return measured


async def measure(database_url: str, runs: int, xml: bytes, timings: Timings) -> None:
    app = create_app(in_process_settings(database_url))
    use_case = app.state.use_cases.get(ImportStudents)
    cpu, reader = use_case._cpu, use_case._reader  # a benchmark looks inside
    run_cpu, read = cpu.run, reader.read

    async def cpu_phase(function: Callable[..., Any], *args: Any) -> Any:
        return await timed(timings, f"  in a worker: {function.__name__}", run_cpu)(function, *args)

    cpu.run = cpu_phase
    reader.read = timed_sync(timings, READING, read)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        admin = await asyncio.to_thread(_admin, database_url)
        organization_id, token = int(str(admin[0]["id"])), admin[1]
        for _ in range(runs):
            parse = bare_parse_seconds(xml, 3, best=True)
            for kind in KINDS:
                timings.kind = kind
                timings.add(BARE_PARSE, parse)
                started = time.perf_counter()
                response = await client.post(
                    f"/api/v1/organizations/{organization_id}/student-imports",
                    files={"file": ("ElevesSansAdresses.xml", xml, "application/xml")},
                    headers={"Authorization": f"Bearer {token}"},
                    params={"confirm_disable": "true"},
                )
                if response.status_code != 201:
                    raise RuntimeError(f"import failed: {response.status_code} {response.text[:300]}")
                timings.add(OVER_HTTP, time.perf_counter() - started)
            await asyncio.to_thread(
                db_execute, database_url, f"DELETE FROM students WHERE organization_id = {organization_id}"
            )


def _admin(database_url: str) -> tuple[dict[str, object], str]:
    # A server only to create the school and its administrator as a user would (invitation, login).
    with serve(database_url) as server, httpx.Client(base_url=server.url, timeout=120) as client:
        return school_admin(client, database_url, uai="0751234A")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    runs = parser.parse_args().runs
    xml = generate_siecle(STUDENTS, seed=1)
    timings = Timings()
    originals = [(owner, name, getattr(owner, name)) for _, owner, name in PHASES]
    for (label, owner, name), (_, _, original) in zip(PHASES, originals, strict=True):
        setattr(owner, name, timed(timings, label, original))
    try:
        with database() as url:
            asyncio.run(measure(url, runs, xml, timings))
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    print(
        f"SIECLE import of {STUDENTS} students, in process, PostgreSQL, {runs} runs; medians, then every run"
    )
    for kind in KINDS:
        print(f"{kind}:")
        known = [BARE_PARSE, OVER_HTTP, READING, *(label for label, _, _ in PHASES)]
        for label in sorted(
            timings.labels,
            key=lambda label: (label not in known, known.index(label) if label in known else 0),
        ):
            seconds = timings.seconds.get((kind, label))
            if seconds:
                every = " ".join(f"{value * 1000:.0f}" for value in seconds)
                print(f"  {label:<40} {statistics.median(seconds) * 1000:7.1f} ms   [{every}]")
        ratios = [
            request / parse
            for request, parse in zip(
                timings.seconds[(kind, OVER_HTTP)], timings.seconds[(kind, BARE_PARSE)], strict=True
            )
        ]
        median, best = statistics.median(ratios), min(ratios)
        print(f"  the request / the bare parse: median {median:.1f}x, best {best:.1f}x")


if __name__ == "__main__":
    main()
