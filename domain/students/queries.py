"""What the lists of students and imports read: nothing a rule decides on."""

from __future__ import annotations

from typing import Protocol

from domain.pagination import Page, PageRequest
from domain.students.entities import StudentListItem
from domain.students.ports import StudentFilter, StudentImportRecord


class StudentQueries(Protocol):
    """What the lists of students and imports read."""

    async def search(
        self, organization_id: int, criteria: StudentFilter, page: PageRequest
    ) -> Page[StudentListItem]: ...

    async def divisions(self, organization_id: int) -> list[str]: ...

    async def import_history(self, organization_id: int, page: PageRequest) -> Page[StudentImportRecord]: ...
