"""The use cases the routers call, registered once by the composition root (``api/bootstrap.py``).

A route asks for a use case by its class::

    invite: Annotated[InviteMembers, Depends(use_case(InviteMembers))]

Wiring a new use case is then its module, its route and one line in ``build_use_cases``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from functools import cache
from typing import Any, Generic, TypeVar

from fastapi import Request

T = TypeVar("T")


class UseCases:
    """Every use case, found by its class; plus the database check."""

    def __init__(self, check_database: Callable[[], Awaitable[None]], cases: Iterable[object]) -> None:
        self.check_database = check_database
        self._cases: dict[type[Any], object] = {}
        for case in cases:
            if type(case) in self._cases:
                raise ValueError(f"{type(case).__name__} is registered twice")
            self._cases[type(case)] = case

    def kinds(self) -> frozenset[type[Any]]:
        return frozenset(self._cases)

    def get(self, kind: type[T]) -> T:
        case = self._cases.get(kind)
        if not isinstance(case, kind):
            raise LookupError(f"{kind.__name__} is not registered in build_use_cases")
        return case


def use_cases(request: Request) -> UseCases:
    found: UseCases = request.app.state.use_cases
    return found


class UseCaseDependency(Generic[T]):
    """The dependency giving the registered ``kind``. A coroutine, though it awaits nothing: FastAPI
    runs a plain function dependency in a worker thread, and handing every request to a thread and
    back cost more than the rest of a light request."""

    def __init__(self, kind: type[T]) -> None:
        self.kind = kind

    async def __call__(self, request: Request) -> T:
        return use_cases(request).get(self.kind)


@cache
def use_case(kind: type[T]) -> UseCaseDependency[T]:
    """One dependency per class, so that a test can override it."""
    return UseCaseDependency(kind)
