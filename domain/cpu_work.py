"""CPU-bound work (parsing a file, planning an import, preparing a roster) run off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, TypeVarTuple

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class CpuWork(Protocol):
    """Runs ``fn(*args)`` where it does not hold up the requests served beside it, a bounded number
    at once, and gives its result (or raises its exception)."""

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T: ...
