"""What support's search of students and their accounts reads."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.joining.ports import StudentSearch, SupportStudentView
from domain.pagination import Page, PageRequest
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.student_links import STUDENT_COLUMNS, linked_account
from infrastructure.db.repositories.students import student_from_row
from infrastructure.db.tables import organizations, students, users
from infrastructure.db.text_search import contains


class SqlJoiningQueries:
    """What support's search of students and their accounts reads."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def search(self, criteria: StudentSearch, page: PageRequest) -> Page[SupportStudentView]:
        query = (
            select(
                *STUDENT_COLUMNS,
                users.c.username,
                users.c.email,
                organizations.c.name.label("organization_name"),
                organizations.c.uai.label("organization_uai"),
            )
            .select_from(
                students.join(organizations, organizations.c.id == students.c.organization_id).outerjoin(
                    users, users.c.id == students.c.user_id
                )
            )
            .order_by(func.lower(students.c.last_name), func.lower(students.c.first_name), students.c.id)
        )
        if criteria.uai:
            query = query.where(organizations.c.uai == criteria.uai)
        matches = []
        if criteria.name_words:
            matches.append(and_(*(contains(students.c.search_text, word) for word in criteria.name_words)))
        if criteria.national_student_id:
            matches.append(students.c.national_student_id == criteria.national_student_id)
        if matches:
            query = query.where(or_(*matches))
        return await paginate(
            self._db,
            query,
            page,
            lambda row: SupportStudentView(
                student=student_from_row(row),
                account=linked_account(row),
                organization_name=row.organization_name,
                organization_uai=row.organization_uai,
            ),
        )
