"""A small closed-loop HTTP load generator: N concurrent clients, latencies per operation."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    async def timed(self, name: str, call: Awaitable[httpx.Response]) -> httpx.Response:
        started = time.perf_counter()
        response = await call
        self.latencies[name].append(time.perf_counter() - started)
        self.statuses[name][response.status_code] += 1
        return response

    def count(self, name: str) -> int:
        return len(self.latencies[name])

    def percentile(self, name: str, p: float) -> float:
        values = sorted(self.latencies[name])
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    def median(self, name: str) -> float:
        return statistics.median(self.latencies[name]) if self.latencies[name] else float("nan")

    def server_errors(self) -> int:
        return sum(n for per in self.statuses.values() for status, n in per.items() if status >= 500)


async def closed_loop(
    clients: int,
    duration: float,
    one_iteration: Callable[[httpx.AsyncClient, int], Awaitable[None]],
    base_url: str,
) -> float:
    """Runs ``clients`` loops calling ``one_iteration`` until ``duration`` seconds have passed."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:
        deadline = time.perf_counter() + duration
        started = time.perf_counter()

        async def loop(worker: int) -> None:
            iteration = 0
            while time.perf_counter() < deadline:
                await one_iteration(http, worker * 1_000_000 + iteration)
                iteration += 1

        await asyncio.gather(*(loop(n) for n in range(clients)))
        return time.perf_counter() - started
