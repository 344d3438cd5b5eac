"""Administrators follow their invitations."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member
from domain.accounts.entities import Viewer
from domain.clock import Clock
from domain.organizations.entities import InvitationStatus, InvitationView
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasOrganizationQueries, Reads, UnitOfWorkFactory


class ListInvitationsPorts(Reads, MemberPorts, HasOrganizationQueries, Protocol): ...


class ListInvitations:
    """``PENDING`` (default) excludes the expired ones, which ``EXPIRED`` lists."""

    def __init__(self, uow: UnitOfWorkFactory[ListInvitationsPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, viewer: Viewer, organization_id: int, status: InvitationStatus, page: PageRequest
    ) -> Page[InvitationView]:
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            found = await uow.organization_queries.list_invitations(organization_id, status, now, page)
        return Page(
            [InvitationView.at(invitation, now) for invitation in found.items], found.total, found.request
        )
