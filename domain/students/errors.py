"""Errors of the SIECLE import: the file is refused, too large, or not a SIECLE export at all; or the
import itself cannot run (one at a time, a cap on the students it may disable, only for an
organization that manages students)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from domain.errors import Conflict, Forbidden, Invalid, PayloadTooLarge, UnsupportedMediaType
from domain.students.siecle import MAX_REPORT_ITEMS, SiecleIssue


class InvalidSiecleFile(Invalid):
    """The file cannot be imported. Every problem is found in one pass; ``errors`` lists the first
    ``MAX_REPORT_ITEMS`` of them and ``meta.errors_total`` counts them all."""

    code: ClassVar[str] = "INVALID_SIECLE_FILE"

    def __init__(self, issues: Iterable[SiecleIssue]) -> None:
        self.issues = list(issues)
        super().__init__(
            errors=issues_as_dicts(self.issues[:MAX_REPORT_ITEMS]), meta={"errors_total": len(self.issues)}
        )

    @classmethod
    def single(cls, code: str, *, line: int | None = None, **meta: Any) -> InvalidSiecleFile:
        """A file-level problem (``INVALID_ZIP``, ``MALFORMED_XML``…): one item, no student."""
        return cls([SiecleIssue(code=code, line=line, meta=meta)])


class FileTooLarge(PayloadTooLarge):
    """The upload, or the XML inside a zip, is larger than the configured cap (``meta.limit``)."""

    code: ClassVar[str] = "FILE_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(meta={"limit": limit, "limit_mb": round(limit / 1_000_000)})
        self.limit = limit


class TooManyStudents(PayloadTooLarge):
    """The file lists more ``<ELEVE>`` entries than the configured cap (``meta.limit``), counted
    while reading: no school exports that many, and each entry costs memory and time."""

    code: ClassVar[str] = "TOO_MANY_STUDENTS"

    def __init__(self, limit: int) -> None:
        super().__init__(meta={"limit": limit})
        self.limit = limit


class UnsupportedFileType(UnsupportedMediaType):
    """The upload is neither an XML file nor a zip (told by its first bytes, never by its name)."""

    code: ClassVar[str] = "UNSUPPORTED_FILE_TYPE"


def issues_as_dicts(issues: Iterable[SiecleIssue]) -> list[dict[str, Any]]:
    """The ``errors`` items of ``INVALID_SIECLE_FILE``, before the API adds each ``detail``."""
    return [
        {
            "code": issue.code,
            "line": issue.line,
            "national_student_id": issue.national_student_id,
            "field": issue.field,
            "last_name": issue.last_name,
            "first_name": issue.first_name,
            "meta": dict(issue.meta),
        }
        for issue in issues
    ]


class ImportInProgress(Conflict):
    code = "IMPORT_IN_PROGRESS"


class TooManyStudentsDisabled(Conflict):
    code = "TOO_MANY_STUDENTS_DISABLED"


class NotManagingStudents(Forbidden):
    code = "FORBIDDEN"
