"""Support finds accounts by e-mail, username or name."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import User, Viewer
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasAccountQueries, Reads, UnitOfWorkFactory


class SearchUsersPorts(Reads, HasAccountQueries, Protocol): ...


class SearchUsers:
    """Every word of the query must appear in the e-mail, the username or the names (case ignored)."""

    def __init__(self, uow: UnitOfWorkFactory[SearchUsersPorts]) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer, query: str | None, page: PageRequest) -> Page[User]:
        require_support(viewer)
        words = tuple((query or "").lower().split())
        async with self._uow() as uow:
            return await uow.account_queries.search(words, page)
