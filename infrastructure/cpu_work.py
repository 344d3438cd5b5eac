"""CPU work in worker threads, a bounded number at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, TypeVarTuple

import anyio

T = TypeVar("T")
U = TypeVar("U")
Ts = TypeVarTuple("Ts")


class ThreadedCpuWork:
    """At most ``max_parallel`` functions run at once; the others wait for a thread, so that a burst
    of work takes its turn instead of taking every core from the requests served beside it."""

    def __init__(self, max_parallel: int) -> None:
        self._limiter = anyio.CapacityLimiter(max_parallel)

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T:
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)

    async def run_beside(self, work: Awaitable[U], fn: Callable[[*Ts], T], *args: *Ts) -> tuple[T, U]:
        outcomes: dict[str, tuple[bool, Any]] = {}

        async def settle(key: str, awaitable: Awaitable[Any]) -> None:
            # Caught here so that one side's error does not cancel the other: the thread cannot be
            # stopped, and the work on the loop may be in the middle of a database round trip.
            try:
                outcomes[key] = (True, await awaitable)
            except Exception as error:
                outcomes[key] = (False, error)

        # The slot first, then both: what ``work`` takes (a connection of the pool) is not held
        # while the CPU work waits for its turn behind others.
        async with self._limiter, anyio.create_task_group() as group:
            group.start_soon(settle, "cpu", anyio.to_thread.run_sync(fn, *args))
            group.start_soon(settle, "loop", work)
        for key in ("cpu", "loop"):
            succeeded, value = outcomes[key]
            if not succeeded:
                raise value
        return outcomes["cpu"][1], outcomes["loop"][1]
