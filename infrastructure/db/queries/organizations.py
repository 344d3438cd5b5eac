"""What the lists of organizations, members and invitations read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.organizations.entities import Invitation, InvitationStatus, MemberView, Organization
from domain.pagination import Page, PageRequest
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.invitations import PENDING, invitation_from_row
from infrastructure.db.repositories.memberships import member_view_from_row, member_views
from infrastructure.db.repositories.organizations import organization_from_row
from infrastructure.db.tables import invitations, memberships, organizations, users
from infrastructure.db.text_search import contains


class SqlOrganizationQueries:
    """What the lists of organizations, members and invitations read."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def search(self, uai: str | None, name: str | None, page: PageRequest) -> Page[Organization]:
        query = select(organizations).order_by(organizations.c.name, organizations.c.id)
        if uai:
            query = query.where(organizations.c.uai == uai)
        if name:
            query = query.where(contains(organizations.c.name, name.lower(), ignore_case=True))
        return await paginate(self._db, query, page, organization_from_row)

    async def list_members(self, organization_id: int, page: PageRequest) -> Page[MemberView]:
        query = (
            member_views()
            .where(memberships.c.organization_id == organization_id, memberships.c.disabled_at.is_(None))
            .order_by(func.lower(users.c.last_name), func.lower(users.c.first_name), memberships.c.id)
        )
        return await paginate(self._db, query, page, member_view_from_row)

    async def list_invitations(
        self, organization_id: int, status: InvitationStatus, now: datetime, page: PageRequest
    ) -> Page[Invitation]:
        query = select(invitations).where(invitations.c.organization_id == organization_id)
        if status is InvitationStatus.PENDING:
            query = query.where(invitations.c.status == PENDING, invitations.c.expires_at > now)
        elif status is InvitationStatus.EXPIRED:
            query = query.where(invitations.c.status == PENDING, invitations.c.expires_at <= now)
        else:
            query = query.where(invitations.c.status == status.value)
        query = query.order_by(invitations.c.updated_at.desc(), invitations.c.id.desc())
        return await paginate(self._db, query, page, invitation_from_row)
