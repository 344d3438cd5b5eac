"""Support lists every API client, revoked ones included, of one organization or all."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.api_clients.entities import ApiClient
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasApiClientQueries, Reads, UnitOfWorkFactory


class SupportListApiClientsPorts(Reads, HasApiClientQueries, Protocol): ...


class SupportListApiClients:
    def __init__(self, uow: UnitOfWorkFactory[SupportListApiClientsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, viewer: Viewer | None, organization_id: int | None, page: PageRequest
    ) -> Page[ApiClient]:
        require_support(viewer)
        async with self._uow() as uow:
            return await uow.api_client_queries.search(organization_id, page)
