from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.organizations.entities import Organization, OrganizationType
from domain.organizations.errors import UaiAlreadyUsed
from domain.organizations.ports import NewOrganization
from infrastructure.db.integrity import violates
from infrastructure.db.tables import organizations


def organization_from_row(row: Any) -> Organization:
    return Organization(
        id=row.id,
        name=row.name,
        type=OrganizationType(row.type),
        uai=row.uai,
        email=row.email,
        is_managing_students=row.is_managing_students,
        created_at=row.created_at,
        archived_at=row.archived_at,
    )


class SqlOrganizationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, organization: NewOrganization) -> Organization:
        try:
            async with self._db.begin_nested():
                row = (
                    await self._db.execute(
                        insert(organizations)
                        .values(
                            name=organization.name,
                            type=organization.type.value,
                            uai=organization.uai,
                            email=organization.email,
                            is_managing_students=organization.is_managing_students,
                            created_at=organization.created_at,
                        )
                        .returning(*organizations.c)
                    )
                ).one()
        except IntegrityError as error:
            if violates(error, "uq_organizations_uai", "organizations.uai"):
                raise UaiAlreadyUsed() from error
            raise
        return organization_from_row(row)

    async def get(self, organization_id: int) -> Organization | None:
        row = (
            await self._db.execute(select(organizations).where(organizations.c.id == organization_id))
        ).one_or_none()
        return organization_from_row(row) if row else None

    async def get_by_uai(self, uai: str) -> Organization | None:
        row = (await self._db.execute(select(organizations).where(organizations.c.uai == uai))).one_or_none()
        return organization_from_row(row) if row else None

    async def archive(self, organization_id: int, now: datetime) -> None:
        await self._db.execute(
            update(organizations)
            .where(organizations.c.id == organization_id, organizations.c.archived_at.is_(None))
            .values(archived_at=now)
        )
