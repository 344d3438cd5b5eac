"""Support looks organizations up by UAI or name."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.organizations.entities import Organization
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasOrganizationQueries, Reads, UnitOfWorkFactory


class SearchOrganizationsPorts(Reads, HasOrganizationQueries, Protocol): ...


class SearchOrganizations:
    def __init__(self, uow: UnitOfWorkFactory[SearchOrganizationsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, viewer: Viewer, uai: str | None, name: str | None, page: PageRequest
    ) -> Page[Organization]:
        require_support(viewer)
        async with self._uow() as uow:
            return await uow.organization_queries.search(
                (uai or "").strip().upper() or None, (name or "").strip() or None, page
            )
