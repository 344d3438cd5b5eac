"""Administrators see the history of imports, newest first, failed ones included."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, require_member
from domain.api_clients.entities import Scope
from domain.pagination import Page, PageRequest
from domain.students.ports import StudentImportRecord
from domain.unit_of_work import HasStudentQueries, Reads, UnitOfWorkFactory


class ListStudentImportsPorts(Reads, MemberPorts, HasStudentQueries, Protocol): ...


class ListStudentImports:
    def __init__(self, uow: UnitOfWorkFactory[ListStudentImportsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, page: PageRequest
    ) -> Page[StudentImportRecord]:
        async with self._uow() as uow:
            await require_member(uow, caller, organization_id, admin=True, scope=Scope.STUDENTS_READ)
            return await uow.student_queries.import_history(organization_id, page)
