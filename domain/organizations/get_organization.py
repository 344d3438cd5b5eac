"""A member reads their organization."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member
from domain.accounts.entities import Viewer
from domain.organizations.entities import Organization
from domain.unit_of_work import Reads, UnitOfWorkFactory


class GetOrganizationPorts(Reads, MemberPorts, Protocol): ...


class GetOrganization:
    def __init__(self, uow: UnitOfWorkFactory[GetOrganizationPorts]) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer, organization_id: int) -> Organization:
        async with self._uow() as uow:
            return (await require_member(uow, viewer, organization_id)).organization
