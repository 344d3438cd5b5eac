from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.organizations.entities import Membership, MemberView, OrganizationType, Role, UserMembership
from infrastructure.db.tables import memberships, organizations, users


def membership_from_row(row: Any) -> Membership:
    return Membership(
        id=row.id,
        organization_id=row.organization_id,
        user_id=row.user_id,
        role=Role(row.role),
        created_at=row.created_at,
        updated_at=row.updated_at,
        disabled_at=row.disabled_at,
    )


_FIND = select(memberships).where(
    memberships.c.organization_id == bindparam("organization_id"),
    memberships.c.user_id == bindparam("user_id"),
)
"""Built once: every request of a member reads it (building a statement cost as much as sending it)."""


class SqlMembershipRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def has_active_membership(self, user_id: int) -> bool:
        query = select(exists().where(memberships.c.user_id == user_id, memberships.c.disabled_at.is_(None)))
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
            .where(memberships.c.user_id == user_id, memberships.c.disabled_at.is_(None))
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

    async def find(self, organization_id: int, user_id: int) -> Membership | None:
        found = await self._db.execute(_FIND, {"organization_id": organization_id, "user_id": user_id})
        row = found.one_or_none()
        return membership_from_row(row) if row else None

    async def get(self, membership_id: int) -> Membership | None:
        row = (
            await self._db.execute(select(memberships).where(memberships.c.id == membership_id))
        ).one_or_none()
        return membership_from_row(row) if row else None

    async def add(self, organization_id: int, user_id: int, role: Role, now: datetime) -> Membership:
        row = (
            await self._db.execute(
                insert(memberships)
                .values(
                    organization_id=organization_id,
                    user_id=user_id,
                    role=role.value,
                    created_at=now,
                    updated_at=now,
                )
                .returning(*memberships.c)
            )
        ).one()
        return membership_from_row(row)

    async def update(self, membership_id: int, *, role: Role, enabled: bool, now: datetime) -> Membership:
        values: dict[str, Any] = {"role": role.value, "updated_at": now}
        values["disabled_at"] = None if enabled else now
        row = (
            await self._db.execute(
                update(memberships)
                .where(memberships.c.id == membership_id)
                .values(**values)
                .returning(*memberships.c)
            )
        ).one()
        return membership_from_row(row)

    async def lock_active_admins(self, organization_id: int) -> list[int]:
        query = (
            select(memberships.c.user_id)
            .where(
                memberships.c.organization_id == organization_id,
                memberships.c.role == Role.ADMIN.value,
                memberships.c.disabled_at.is_(None),
            )
            .order_by(memberships.c.id)
            .with_for_update()
        )
        return [row.user_id for row in (await self._db.execute(query)).all()]

    async def count_active(self, organization_id: int) -> int:
        query = select(func.count()).where(
            memberships.c.organization_id == organization_id, memberships.c.disabled_at.is_(None)
        )
        return int((await self._db.execute(query)).scalar_one())

    async def get_view(self, membership_id: int) -> MemberView | None:
        row = (await self._db.execute(member_views().where(memberships.c.id == membership_id))).one_or_none()
        return member_view_from_row(row) if row else None


def member_views() -> Select[Any]:
    return select(
        memberships.c.id,
        memberships.c.role,
        memberships.c.created_at,
        users.c.id.label("user_id"),
        users.c.first_name,
        users.c.last_name,
        users.c.email,
    ).join(users, users.c.id == memberships.c.user_id)


def member_view_from_row(row: Any) -> MemberView:
    return MemberView(
        id=row.id,
        role=Role(row.role),
        created_at=row.created_at,
        user_id=row.user_id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
    )
