from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Student:
    """An organization learner, as imported from SIECLE (never deleted: disabled instead)."""

    id: int
    organization_id: int
    national_student_id: str
    last_name: str
    preferred_last_name: str | None
    first_name: str
    middle_name: str | None
    third_name: str | None
    birthdate: date
    division: str
    user_id: int | None
    created_at: datetime
    updated_at: datetime
    disabled_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class StudentListItem:
    """A student as the teachers' list shows it, with the attached account's login."""

    student: Student
    username: str | None
    email: str | None
