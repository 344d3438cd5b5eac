"""CPU work in worker threads, a bounded number at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class ThreadedCpuWork:
    """At most ``max_parallel`` functions run at once; the others wait for a thread, so that a burst
    of work takes its turn instead of taking every core from the requests served beside it."""

    def __init__(self, max_parallel: int) -> None:
        self._limiter = anyio.CapacityLimiter(max_parallel)

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T:
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._limiter)
