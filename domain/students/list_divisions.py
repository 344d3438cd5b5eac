"""Members see the classes (divisions) of their active students."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member
from domain.accounts.entities import Viewer
from domain.unit_of_work import HasStudentQueries, Reads, UnitOfWorkFactory


class ListDivisionsPorts(Reads, MemberPorts, HasStudentQueries, Protocol): ...


class ListDivisions:
    def __init__(self, uow: UnitOfWorkFactory[ListDivisionsPorts]) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer, organization_id: int) -> list[str]:
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id)
            return await uow.student_queries.divisions(organization_id)
