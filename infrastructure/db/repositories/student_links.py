"""What attaching accounts to students reads: matching candidates, the row lock, support search.

The attachments themselves are written by the students repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.joining.matching import MatchCandidate
from domain.joining.ports import LinkedAccount, StudentWithAccount
from domain.students.entities import Student
from infrastructure.db.repositories.students import student_from_row
from infrastructure.db.tables import student_imports, students, users


def linked_account(row: Any) -> LinkedAccount | None:
    if row.user_id is None:
        return None
    return LinkedAccount(row.user_id, row.username, row.email)


STUDENT_COLUMNS = [column for column in students.c if column.name != "search_text"]


class SqlStudentLinkRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def active_born_on(self, organization_id: int, birthdate: date) -> list[Student]:
        query = (
            select(*STUDENT_COLUMNS)
            .where(
                students.c.organization_id == organization_id,
                students.c.birthdate == birthdate,
                students.c.disabled_at.is_(None),
            )
            .order_by(students.c.id)
        )
        return [student_from_row(row) for row in (await self._db.execute(query)).all()]

    async def active_roster(self, organization_id: int) -> list[MatchCandidate]:
        query = select(
            students.c.id,
            students.c.first_name,
            students.c.middle_name,
            students.c.third_name,
            students.c.last_name,
            students.c.preferred_last_name,
        ).where(students.c.organization_id == organization_id, students.c.disabled_at.is_(None))
        return [MatchCandidate(*row) for row in (await self._db.execute(query)).all()]

    async def roster_version(self, organization_id: int) -> tuple[str, ...]:
        of_organization = students.c.organization_id == organization_id
        last_import = (
            select(func.max(student_imports.c.id))
            .where(student_imports.c.organization_id == organization_id)
            .scalar_subquery()
        )
        query = select(
            func.count(),
            func.count(students.c.disabled_at),
            func.max(students.c.id),
            func.max(students.c.created_at),
            last_import,
        ).where(of_organization)
        return tuple(str(value) for value in (await self._db.execute(query)).one())

    async def get(self, student_id: int) -> Student | None:
        row = (
            await self._db.execute(select(*STUDENT_COLUMNS).where(students.c.id == student_id))
        ).one_or_none()
        return student_from_row(row) if row else None

    async def lock(self, student_id: int) -> Student | None:
        row = (
            await self._db.execute(
                select(*STUDENT_COLUMNS).where(students.c.id == student_id).with_for_update()
            )
        ).one_or_none()
        return student_from_row(row) if row else None

    async def active_of_user(self, organization_id: int, user_id: int) -> Student | None:
        row = (
            await self._db.execute(
                select(*STUDENT_COLUMNS).where(
                    students.c.organization_id == organization_id,
                    students.c.user_id == user_id,
                    students.c.disabled_at.is_(None),
                )
            )
        ).first()
        return student_from_row(row) if row else None

    async def of_user(self, user_id: int) -> list[Student]:
        query = (
            select(*STUDENT_COLUMNS)
            .where(students.c.user_id == user_id)
            .order_by(students.c.updated_at.desc(), students.c.id.desc())
        )
        return [student_from_row(row) for row in (await self._db.execute(query)).all()]

    async def active_by_national_id(
        self, organization_id: int, national_student_id: str, birthdate: date
    ) -> Student | None:
        row = (
            await self._db.execute(
                select(*STUDENT_COLUMNS).where(
                    students.c.organization_id == organization_id,
                    students.c.national_student_id == national_student_id,
                    students.c.birthdate == birthdate,
                    students.c.disabled_at.is_(None),
                )
            )
        ).one_or_none()
        return student_from_row(row) if row else None

    async def accounts_linked_elsewhere(
        self, national_student_id: str, organization_id: int
    ) -> list[LinkedAccount]:
        query = (
            select(users.c.id.label("user_id"), users.c.username, users.c.email)
            .select_from(students.join(users, users.c.id == students.c.user_id))
            .where(
                students.c.national_student_id == national_student_id,
                students.c.organization_id != organization_id,
            )
            .order_by(students.c.updated_at.desc(), students.c.id.desc())
        )
        seen: dict[int, LinkedAccount] = {}
        for row in (await self._db.execute(query)).all():
            seen.setdefault(row.user_id, LinkedAccount(row.user_id, row.username, row.email))
        return list(seen.values())

    async def with_accounts(
        self, organization_id: int, student_ids: Sequence[int]
    ) -> list[StudentWithAccount]:
        if not student_ids:
            return []
        other = students.alias("other")
        elsewhere = (
            select(other.c.id)
            .where(
                other.c.user_id == students.c.user_id,
                other.c.organization_id != organization_id,
                other.c.disabled_at.is_(None),
            )
            .exists()
        )
        query = (
            select(*STUDENT_COLUMNS, users.c.username, users.c.email, elsewhere.label("in_use_elsewhere"))
            .outerjoin(users, users.c.id == students.c.user_id)
            .where(students.c.organization_id == organization_id, students.c.id.in_(list(student_ids)))
        )
        return [
            StudentWithAccount(student_from_row(row), linked_account(row), bool(row.in_use_elsewhere))
            for row in (await self._db.execute(query)).all()
        ]
