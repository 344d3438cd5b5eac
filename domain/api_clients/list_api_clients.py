"""An organization's administrator lists its live API clients (never a secret)."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, require_member, require_person
from domain.api_clients.entities import ApiClient
from domain.unit_of_work import HasApiClientQueries, Reads, UnitOfWorkFactory


class ListApiClientsPorts(Reads, MemberPorts, HasApiClientQueries, Protocol): ...


class ListApiClients:
    def __init__(self, uow: UnitOfWorkFactory[ListApiClientsPorts]) -> None:
        self._uow = uow

    async def __call__(self, caller: Caller, organization_id: int) -> list[ApiClient]:
        viewer = require_person(caller)
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            return await uow.api_client_queries.of_organization(organization_id)
