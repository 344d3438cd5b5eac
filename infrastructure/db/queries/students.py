"""What the lists of students and imports read."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.pagination import Page, PageRequest
from domain.students.entities import StudentListItem
from domain.students.ports import StudentFilter, StudentImportRecord
from domain.students.search_text import fold
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.student_imports import import_from_row
from infrastructure.db.repositories.students import student_from_row
from infrastructure.db.tables import api_clients, student_imports, students, users
from infrastructure.db.text_search import contains


class SqlStudentQueries:
    """What the lists of students and imports read."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def search(
        self, organization_id: int, criteria: StudentFilter, page: PageRequest
    ) -> Page[StudentListItem]:
        query = (
            select(students, users.c.username, users.c.email)
            .outerjoin(users, users.c.id == students.c.user_id)
            .where(students.c.organization_id == organization_id)
            .order_by(func.lower(students.c.last_name), func.lower(students.c.first_name), students.c.id)
        )
        if not criteria.include_disabled:
            query = query.where(students.c.disabled_at.is_(None))
        if criteria.division:
            query = query.where(students.c.division == criteria.division)
        if criteria.linked is not None:
            query = query.where(
                students.c.user_id.is_not(None) if criteria.linked else students.c.user_id.is_(None)
            )
        for word in fold(criteria.search or "").split():
            query = query.where(contains(students.c.search_text, word))
        return await paginate(
            self._db,
            query,
            page,
            lambda row: StudentListItem(
                student=student_from_row(row), username=row.username, email=row.email
            ),
        )

    async def divisions(self, organization_id: int) -> list[str]:
        query = (
            select(students.c.division)
            .where(students.c.organization_id == organization_id, students.c.disabled_at.is_(None))
            .distinct()
            .order_by(students.c.division)
        )
        return [row.division for row in (await self._db.execute(query)).all()]

    async def import_history(self, organization_id: int, page: PageRequest) -> Page[StudentImportRecord]:
        query = (
            select(student_imports, api_clients.c.name.label("api_client_name"))
            .outerjoin(api_clients, api_clients.c.id == student_imports.c.actor_api_client_id)
            .where(student_imports.c.organization_id == organization_id)
            .order_by(student_imports.c.created_at.desc(), student_imports.c.id.desc())
        )
        return await paginate(self._db, query, page, import_from_row)
