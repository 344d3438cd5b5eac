from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.siecle_messages import bounded_entry
from domain.students.entities import StudentListItem
from domain.students.import_students import ImportReport
from domain.students.ports import StudentImportRecord
from domain.students.roster import CSV_COLUMNS
from domain.students.siecle import MAX_REPORT_ITEMS


class ImportCountsOut(BaseModel):
    created: int
    updated: int
    reactivated: int
    unchanged: int
    disabled: int
    skipped: int


class SkippedOut(BaseModel):
    line: int
    national_student_id: str | None
    last_name: str | None
    first_name: str | None
    reason: str
    detail: str


class WarningOut(BaseModel):
    code: str
    line: int | None
    national_student_id: str | None
    detail: str
    meta: dict[str, Any] = {}


class ReportTotalsOut(BaseModel):
    """How many items of each kind the report holds; each list shows the first ones only."""

    skipped: int
    warnings: int


class StudentImportOut(BaseModel):
    id: int | None
    status: str
    dry_run: bool
    requires_confirmation: bool
    counts: ImportCountsOut
    skipped: list[SkippedOut] = Field(description=f"The first {MAX_REPORT_ITEMS} skipped entries")
    warnings: list[WarningOut] = Field(description=f"The first {MAX_REPORT_ITEMS} warnings")
    totals: ReportTotalsOut

    @classmethod
    def of(cls, report: ImportReport, detail: Any) -> StudentImportOut:
        return cls(
            id=report.id,
            status=report.status,
            dry_run=report.dry_run,
            requires_confirmation=report.requires_confirmation,
            counts=ImportCountsOut(**report.counts.as_dict()),
            skipped=[
                SkippedOut(**item, detail=detail(item))
                for item in (bounded_entry(s) for s in report.report.skipped[:MAX_REPORT_ITEMS])
            ],
            warnings=[
                WarningOut(**item, detail=detail(item))
                for item in (bounded_entry(w) for w in report.warnings[:MAX_REPORT_ITEMS])
            ],
            totals=ReportTotalsOut(skipped=len(report.report.skipped), warnings=len(report.warnings)),
        )


class StudentImportHistoryOut(BaseModel):
    id: int
    status: str
    created_at: datetime
    created_by: dict[str, Any]
    filename: str | None
    format: Literal["SIECLE_XML", "CSV", "JSON"] | None = Field(
        description="What was imported; null for an upload refused before its format was known"
    )
    counts: dict[str, int]

    @classmethod
    def of(cls, record: StudentImportRecord) -> StudentImportHistoryOut:
        return cls(
            id=record.id,
            status=record.status,
            created_at=record.created_at,
            created_by=created_by(record),
            filename=record.filename,
            format=record.format,
            counts=record.counts,
        )


class JsonRosterStudentIn(BaseModel):
    """One pupil of a JSON roster (documentation: the import reads the body itself)."""

    national_student_id: str = Field(max_length=20, description="The pupil's unique identifier")
    first_name: str = Field(max_length=255)
    middle_name: str | None = Field(default=None, max_length=255)
    third_name: str | None = Field(default=None, max_length=255)
    last_name: str = Field(max_length=255)
    preferred_last_name: str | None = Field(default=None, max_length=255)
    birthdate: date
    division: str = Field(max_length=64)


class JsonRosterIn(BaseModel):
    """A JSON roster, the body of an import sent with ``Content-Type: application/json``."""

    students: list[JsonRosterStudentIn]


JSON_ROSTER_EXAMPLE: dict[str, Any] = {
    "students": [
        {
            "national_student_id": "123456789AB",
            "first_name": "Jeanne",
            "last_name": "BARET",
            "birthdate": "2009-07-27",
            "division": "2NDE-AGRI",
        }
    ]
}


def roster_template_csv() -> bytes:
    """The CSV roster's header as a French spreadsheet opens it: UTF-8 with BOM, ``;``, CRLF."""
    return ("\ufeff" + ";".join(header for header, _ in CSV_COLUMNS) + "\r\n").encode()


def created_by(record: StudentImportRecord) -> dict[str, Any]:
    """A person (their id and label), or the API client that pushed the file (its name)."""
    if record.actor_api_client_id is not None:
        return {
            "api_client": record.actor_api_client_name,
            "api_client_id": record.actor_api_client_id,
            "label": record.actor_label,
        }
    return {"user_id": record.actor_user_id, "label": record.actor_label}


def mask_email(email: str | None) -> str | None:
    """``camille.abba@example.net`` → ``c***@example.net``: enough for a teacher to recognise it."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


class StudentOut(BaseModel):
    id: int
    last_name: str
    first_name: str
    preferred_last_name: str | None
    birthdate: date
    division: str
    national_student_id: str
    linked: bool
    username: str | None
    email_masked: str | None
    disabled: bool

    @classmethod
    def of(cls, item: StudentListItem) -> StudentOut:
        student = item.student
        return cls(
            id=student.id,
            last_name=student.last_name,
            first_name=student.first_name,
            preferred_last_name=student.preferred_last_name,
            birthdate=student.birthdate,
            division=student.division,
            national_student_id=student.national_student_id,
            linked=student.user_id is not None,
            username=item.username,
            email_masked=mask_email(item.email),
            disabled=not student.is_active,
        )
