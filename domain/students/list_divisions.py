"""Members see the classes (divisions) of their active students."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, require_member
from domain.api_clients.entities import Scope
from domain.unit_of_work import HasStudentQueries, Reads, UnitOfWorkFactory


class ListDivisionsPorts(Reads, MemberPorts, HasStudentQueries, Protocol): ...


class ListDivisions:
    def __init__(self, uow: UnitOfWorkFactory[ListDivisionsPorts]) -> None:
        self._uow = uow

    async def __call__(self, caller: Caller, organization_id: int) -> list[str]:
        async with self._uow() as uow:
            await require_member(uow, caller, organization_id, scope=Scope.STUDENTS_READ)
            return await uow.student_queries.divisions(organization_id)
