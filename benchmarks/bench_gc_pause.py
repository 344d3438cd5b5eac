"""How long the garbage collector stops a serving process, on PostgreSQL.

A full collection walks every object the collector tracks; while it runs, the event loop serves no
one. The app is built as a worker process builds it, 300 matches warm it up, then full collections
are timed: with everything the process built to start still tracked (the baseline), then with it
frozen (``gc.freeze``, as ``api.asgi.app_factory`` does).

    uv run python -m benchmarks.bench_gc_pause
"""

from __future__ import annotations

import asyncio
import gc
import random
import time

from benchmarks.bench_joining import identity, prepare
from benchmarks.harness import database, in_process_settings, serve
from benchmarks.profile_match import Client

WARM_UP = 300
COLLECTIONS = 5


async def pauses(database_url: str, code: str, identities: list[dict[str, str]], frozen: bool) -> list[float]:
    from api.bootstrap import create_app

    app = create_app(in_process_settings(database_url))
    if frozen:
        gc.collect()
        gc.freeze()
    client = Client(app)
    path = f"/api/v1/campaigns/{code}/student-matches"
    try:
        async with app.router.lifespan_context(app):
            for _ in range(WARM_UP):
                await client.request("POST", path, random.choice(identities))
            durations = []
            for _ in range(COLLECTIONS):
                started = time.perf_counter()
                gc.collect()
                durations.append(time.perf_counter() - started)
            print(f"  tracked {len(gc.get_objects()):>8,} objects, frozen {gc.get_freeze_count():>8,}")
            return durations
    finally:
        gc.unfreeze()


def main() -> None:
    random.seed(3)
    with database() as url:
        with serve(url) as server:
            code, records = prepare(server.url, url)
        identities = [identity(record) for record in records]
        print("full garbage collections of a serving process")
        tracked = asyncio.run(pauses(url, code, identities, frozen=False))
        frozen = asyncio.run(pauses(url, code, identities, frozen=True))
    for name, durations in (("startup heap tracked", tracked), ("startup heap frozen", frozen)):
        print(f"{name:<22} min {min(durations) * 1000:7.1f} ms   max {max(durations) * 1000:7.1f} ms")
    print(f"ratio frozen / tracked: {min(frozen) / min(tracked):.3f}")


if __name__ == "__main__":
    main()
