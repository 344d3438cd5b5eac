"""CPU-bound work (parsing a file, planning an import, preparing a roster) run off the event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar, TypeVarTuple

T = TypeVar("T")
U = TypeVar("U")
Ts = TypeVarTuple("Ts")


class CpuWork(Protocol):
    """Runs ``fn(*args)`` where it does not hold up the requests served beside it, a bounded number
    at once, and gives its result (or raises its exception)."""

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T: ...

    async def run_beside(self, work: Awaitable[U], fn: Callable[[*Ts], T], *args: *Ts) -> tuple[T, U]:
        """``fn(*args)`` as ``run`` runs it, while ``work`` is awaited: what ``work`` waits for (the
        database) is then waited for during the CPU work instead of after it. ``work`` starts with
        ``fn``, once ``fn`` has its turn, so that what it takes (a connection) is not held while
        ``fn`` waits. Both run to their end; ``fn``'s exception is raised before ``work``'s, being
        about the input, which came first."""
        ...
