"""Errors of the SIECLE import: the file is refused, too large, or not a SIECLE export at all; or the
import itself cannot run (one at a time, a cap on the students it may disable, only for an
organization that manages students)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self

from domain.errors import Conflict, Forbidden, Invalid, PayloadTooLarge, UnsupportedMediaType
from domain.students.roster import SIECLE_XML
from domain.students.siecle import MAX_REPORT_ITEMS, SiecleIssue, SkippedEntry


class InvalidSiecleFile(Invalid):
    """The file cannot be imported. Every problem is found in one pass; ``errors`` lists the first
    ``MAX_REPORT_ITEMS`` of them and ``meta.errors_total`` counts them all."""

    code: ClassVar[str] = "INVALID_SIECLE_FILE"
    file_format: str | None = SIECLE_XML
    """The format of the file refused, as the history records it."""

    def __init__(self, issues: Iterable[SiecleIssue], skipped: Iterable[SkippedEntry] = ()) -> None:
        self.issues = list(issues)
        self.skipped = list(skipped)
        """The entries skipped, given with ``NO_STUDENTS``: what the file held instead of pupils.
        The problem lists the first ``MAX_REPORT_ITEMS`` and ``meta.skipped_total`` counts them."""
        meta: dict[str, Any] = {"errors_total": len(self.issues)}
        if self.skipped:
            meta["skipped_total"] = len(self.skipped)
        super().__init__(errors=issues_as_dicts(self.issues[:MAX_REPORT_ITEMS]), meta=meta)

    @classmethod
    def single(cls, code: str, *, line: int | None = None, **meta: Any) -> Self:
        """A file-level problem (``INVALID_ZIP``, ``MALFORMED_XML``…): one item, no student."""
        return cls([SiecleIssue(code=code, line=line, meta=meta)])


class InvalidStudentFile(InvalidSiecleFile):
    """A CSV or JSON roster that cannot be imported: the same items as ``INVALID_SIECLE_FILE``,
    where ``line`` is the CSV file's line (the header is line 1) and ``meta.index`` the 0-based
    position of a JSON entry."""

    code: ClassVar[str] = "INVALID_STUDENT_FILE"
    file_format: str | None = None
    """``CSV`` or ``JSON``, set by the reader that refuses the file."""


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
    """The upload is none of the files the import reads: a SIECLE XML or its zip, a CSV or a JSON
    roster (told by its content, never by its name). A binary file, a spreadsheet's own format
    (xlsx, ods, xls) or a PDF is refused so."""

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
