"""Administrators see the history of imports, newest first, failed ones included."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member
from domain.accounts.entities import Viewer
from domain.pagination import Page, PageRequest
from domain.students.ports import StudentImportRecord
from domain.unit_of_work import HasStudentQueries, Reads, UnitOfWorkFactory


class ListStudentImportsPorts(Reads, MemberPorts, HasStudentQueries, Protocol): ...


class ListStudentImports:
    def __init__(self, uow: UnitOfWorkFactory[ListStudentImportsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, viewer: Viewer, organization_id: int, page: PageRequest
    ) -> Page[StudentImportRecord]:
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            return await uow.student_queries.import_history(organization_id, page)
