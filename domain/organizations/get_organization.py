"""A member reads their organization."""

from __future__ import annotations

from domain.access import require_member
from domain.accounts.entities import Viewer
from domain.organizations.entities import Organization
from domain.unit_of_work import UnitOfWorkFactory


class GetOrganization:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer, organization_id: int) -> Organization:
        async with self._uow() as uow:
            return (await require_member(uow, viewer, organization_id)).organization
