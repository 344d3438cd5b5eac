"""What support's search of students and their accounts reads: nothing a rule decides on."""

from __future__ import annotations

from typing import Protocol

from domain.joining.ports import StudentSearch, SupportStudentView
from domain.pagination import Page, PageRequest


class JoiningQueries(Protocol):
    """What support's search of students and their accounts reads."""

    async def search(self, criteria: StudentSearch, page: PageRequest) -> Page[SupportStudentView]: ...
