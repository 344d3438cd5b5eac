"""Errors of joining: a typed name that cannot be matched, and attaching accounts to students
(docs/rules.md, Identity matching steps 5 to 8).

The reason codes say why an attachment is refused, for the pupil's screen and for support:
``R31``/``R32`` (the student is attached to an account with an e-mail / a username; ``S51``/``S52``
when the refusal answers an account creation), ``R11``/``R12`` (a student of the same INE is
attached in another organization; ``S61``/``S62``), ``R70`` (the account is attached to another
active student of the organization), ``R90`` (the account belongs to another person).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from domain.errors import Conflict, Forbidden, Invalid, NotFound

TypedNameField = Literal["first_name", "last_name"]


class ReasonCode(StrEnum):
    SAME_INE_ELSEWHERE_EMAIL = "R11"
    SAME_INE_ELSEWHERE_USERNAME = "R12"
    ATTACHED_EMAIL = "R31"
    ATTACHED_USERNAME = "R32"
    CREATING_ATTACHED_EMAIL = "S51"
    CREATING_ATTACHED_USERNAME = "S52"
    CREATING_SAME_INE_ELSEWHERE_EMAIL = "S61"
    CREATING_SAME_INE_ELSEWHERE_USERNAME = "S62"
    USER_ALREADY_LINKED = "R70"
    ACCOUNT_OF_ANOTHER_STUDENT = "R90"


class StudentNotFound(NotFound):
    """No student (or no unique one) matches; never says which part failed."""

    code = "STUDENT_NOT_FOUND"


class StudentAlreadyLinked(Conflict):
    """``meta``: ``reason_code`` and ``login_hint`` (the obfuscated login of the attached account)."""

    code = "STUDENT_ALREADY_LINKED"

    def __init__(self, reason: ReasonCode, login_hint: str) -> None:
        super().__init__(meta={"reason_code": reason.value, "login_hint": login_hint})
        self.reason = reason


class UserAlreadyLinkedInOrganization(Conflict):
    code = "USER_ALREADY_LINKED_IN_ORGANIZATION"

    def __init__(self) -> None:
        super().__init__(meta={"reason_code": ReasonCode.USER_ALREADY_LINKED.value})
        self.reason = ReasonCode.USER_ALREADY_LINKED


class AccountBelongsToAnotherStudent(Invalid):
    code = "ACCOUNT_BELONGS_TO_ANOTHER_STUDENT"

    def __init__(self) -> None:
        super().__init__(meta={"reason_code": ReasonCode.ACCOUNT_OF_ANOTHER_STUDENT.value})
        self.reason = ReasonCode.ACCOUNT_OF_ANOTHER_STUDENT


class OrganizationMemberCannotLink(Forbidden):
    """A member of the organization (a teacher) cannot attach their account to one of its students."""

    code = "ORGANIZATION_MEMBER_CANNOT_LINK"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"


class EmptyName(Invalid):
    """A typed name normalises to nothing (only spaces, punctuation or invisible characters).

    Rejected before any comparison: an empty value would divide by zero, and matching on the other
    name alone would loosen the rule.
    """

    code: ClassVar[str] = "VALIDATION_ERROR"

    def __init__(self, field: TypedNameField) -> None:
        super().__init__(meta={"field": field})
        self.field: TypedNameField = field
