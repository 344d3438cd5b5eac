from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.organizations.entities import OrganizationType, Role, UserMembership
from infrastructure.db.tables import memberships, organizations


class SqlMembershipRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def has_active_membership(self, user_id: int) -> bool:
        query = select(
            exists()
            .where(memberships.c.user_id == user_id, memberships.c.disabled_at.is_(None))
            .where(organizations.c.id == memberships.c.organization_id, organizations.c.archived_at.is_(None))
        )
        return bool((await self._db.execute(query)).scalar())

    async def list_active_for_user(self, user_id: int) -> list[UserMembership]:
        query = (
            select(
                memberships.c.id,
                memberships.c.role,
                organizations.c.id.label("org_id"),
                organizations.c.name,
                organizations.c.type,
            )
            .join(organizations, organizations.c.id == memberships.c.organization_id)
            .where(
                memberships.c.user_id == user_id,
                memberships.c.disabled_at.is_(None),
                organizations.c.archived_at.is_(None),
            )
            .order_by(organizations.c.name, organizations.c.id)
        )
        return [
            UserMembership(
                id=row.id,
                role=Role(row.role),
                organization_id=row.org_id,
                organization_name=row.name,
                organization_type=OrganizationType(row.type),
            )
            for row in (await self._db.execute(query)).all()
        ]
