"""Members see their team."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member
from domain.accounts.entities import Viewer
from domain.organizations.entities import MemberView
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasOrganizationQueries, Reads, UnitOfWorkFactory


class ListMembersPorts(Reads, MemberPorts, HasOrganizationQueries, Protocol): ...


class ListMembers:
    """Active memberships only: a removed member keeps history but is not listed."""

    def __init__(self, uow: UnitOfWorkFactory[ListMembersPorts]) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer, organization_id: int, page: PageRequest) -> Page[MemberView]:
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id)
            return await uow.organization_queries.list_members(organization_id, page)
