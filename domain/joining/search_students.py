"""Support finds students across organizations."""

from __future__ import annotations

import re
from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.joining.ports import StudentSearch, SupportStudentView
from domain.pagination import Page, PageRequest
from domain.students.search_text import fold
from domain.unit_of_work import HasJoiningQueries, Reads, UnitOfWorkFactory

_WORDS = re.compile(r"[^\W_]+")


class SearchStudentsPorts(Reads, HasJoiningQueries, Protocol): ...


class SearchStudents:
    """By names (every word, ignoring case and accents) or by INE, optionally within the organization
    of a UAI; sorted by last name, first name. Disabled students are included (flagged)."""

    def __init__(self, uow: UnitOfWorkFactory[SearchStudentsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, viewer: Viewer, query: str | None, uai: str | None, page: PageRequest
    ) -> Page[SupportStudentView]:
        require_support(viewer)
        text = (query or "").strip()
        criteria = StudentSearch(
            name_words=tuple(_WORDS.findall(fold(text))),
            national_student_id=text.upper() if text and " " not in text else None,
            uai=(uai or "").strip().upper() or None,
        )
        async with self._uow() as uow:
            return await uow.joining_queries.search(criteria, page)
