"""Members see the imported students."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, require_member
from domain.api_clients.entities import Scope
from domain.pagination import Page, PageRequest
from domain.students.entities import StudentListItem
from domain.students.ports import StudentFilter
from domain.unit_of_work import HasStudentQueries, Reads, UnitOfWorkFactory


class ListStudentsPorts(Reads, MemberPorts, HasStudentQueries, Protocol): ...


class ListStudents:
    """Sorted by last name then first name (stable: the id breaks ties); the search ignores case
    and accents over the names; disabled students are hidden unless asked for."""

    def __init__(self, uow: UnitOfWorkFactory[ListStudentsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, criteria: StudentFilter, page: PageRequest
    ) -> Page[StudentListItem]:
        async with self._uow() as uow:
            await require_member(uow, caller, organization_id, scope=Scope.STUDENTS_READ)
            return await uow.student_queries.search(organization_id, criteria, page)
