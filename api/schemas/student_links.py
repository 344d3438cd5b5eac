"""Teachers' and support's tools on the attachment of accounts to students."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.accounts import RequestModel
from domain.accounts.entities import User
from domain.joining.ports import LinkedAccount, SupportStudentView
from domain.joining.reset_student_passwords import MAX_STUDENTS, StudentPasswordResets


class PasswordResetsRequest(RequestModel):
    student_ids: list[int] = Field(min_length=1, max_length=MAX_STUDENTS)

    model_config = ConfigDict(json_schema_extra={"examples": [{"student_ids": [12, 13, 14]}]})


class ResetOut(BaseModel):
    student_id: int
    division: str
    last_name: str
    first_name: str
    username: str
    temporary_password: str = Field(description="Valid 30 days; to be changed at the first login")


class NotResetOut(BaseModel):
    student_id: int
    reason: Literal["STUDENT_NOT_FOUND", "STUDENT_NOT_LINKED", "EMAIL_ACCOUNT", "ACCOUNT_IN_USE_ELSEWHERE"]


class PasswordResetsOut(BaseModel):
    reset: list[ResetOut]
    not_reset: list[NotResetOut]

    @classmethod
    def of(cls, result: StudentPasswordResets) -> PasswordResetsOut:
        return cls(
            reset=[
                ResetOut(
                    student_id=r.student.id,
                    division=r.student.division,
                    last_name=r.student.last_name,
                    first_name=r.student.first_name,
                    username=r.username,
                    temporary_password=r.temporary_password,
                )
                for r in result.reset
            ],
            not_reset=[NotResetOut(student_id=n.student_id, reason=n.reason.value) for n in result.not_reset],
        )


class AdminUserOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str | None
    username: str | None
    is_support: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> AdminUserOut:
        return cls(
            id=user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            username=user.username,
            is_support=user.is_support,
            created_at=user.created_at,
        )


class StudentOrganizationOut(BaseModel):
    id: int
    name: str
    uai: str | None


class LinkedAccountOut(BaseModel):
    id: int
    username: str | None
    email: str | None

    @classmethod
    def of(cls, account: LinkedAccount | None) -> LinkedAccountOut | None:
        return cls(id=account.user_id, username=account.username, email=account.email) if account else None


class AdminStudentOut(BaseModel):
    id: int
    organization: StudentOrganizationOut
    national_student_id: str
    last_name: str
    preferred_last_name: str | None
    first_name: str
    birthdate: date
    division: str
    disabled: bool
    user: LinkedAccountOut | None

    @classmethod
    def of(cls, view: SupportStudentView) -> AdminStudentOut:
        student = view.student
        return cls(
            id=student.id,
            organization=StudentOrganizationOut(
                id=student.organization_id, name=view.organization_name, uai=view.organization_uai
            ),
            national_student_id=student.national_student_id,
            last_name=student.last_name,
            preferred_last_name=student.preferred_last_name,
            first_name=student.first_name,
            birthdate=student.birthdate,
            division=student.division,
            disabled=not student.is_active,
            user=LinkedAccountOut.of(view.account),
        )


class UserLinkRequest(RequestModel):
    user_id: int

    model_config = ConfigDict(json_schema_extra={"examples": [{"user_id": 42}]})
