"""What the lists of organizations, members and invitations read: nothing a rule decides on."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.organizations.entities import Invitation, InvitationStatus, MemberView, Organization
from domain.pagination import Page, PageRequest


class OrganizationQueries(Protocol):
    """What the lists of organizations, members and invitations read."""

    async def search(self, uai: str | None, name: str | None, page: PageRequest) -> Page[Organization]: ...

    async def list_members(self, organization_id: int, page: PageRequest) -> Page[MemberView]: ...

    async def list_invitations(
        self, organization_id: int, status: InvitationStatus, now: datetime, page: PageRequest
    ) -> Page[Invitation]: ...
