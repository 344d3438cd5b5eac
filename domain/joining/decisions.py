"""The joining rules that decide from what was read, with no input/output: why a student cannot be
attached, and what is kept of each matching decision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from domain.accounts.login_hint import obfuscate_login
from domain.joining.errors import (
    AccountBelongsToAnotherStudent,
    ReasonCode,
    StudentAlreadyLinked,
    UserAlreadyLinkedInOrganization,
)
from domain.joining.matching import MatchDecision
from domain.joining.ports import LinkedAccount, RecordedMatch
from domain.students.entities import Student

ENDPOINT_MATCHES: Final = "student-matches"
ENDPOINT_ACCOUNTS: Final = "student-accounts"
ENDPOINT_LINKS: Final = "student-links"

OUTCOME_CONFLICT: Final = "CONFLICT"
RULE_AUTOMATIC: Final = "automatic:national_student_id"

_ATTACHED: Final = {
    # endpoint creates an account, the attached account has an e-mail → reason
    (False, True): ReasonCode.ATTACHED_EMAIL,
    (False, False): ReasonCode.ATTACHED_USERNAME,
    (True, True): ReasonCode.CREATING_ATTACHED_EMAIL,
    (True, False): ReasonCode.CREATING_ATTACHED_USERNAME,
}
_SAME_INE_ELSEWHERE: Final = {
    (False, True): ReasonCode.SAME_INE_ELSEWHERE_EMAIL,
    (False, False): ReasonCode.SAME_INE_ELSEWHERE_USERNAME,
    (True, True): ReasonCode.CREATING_SAME_INE_ELSEWHERE_EMAIL,
    (True, False): ReasonCode.CREATING_SAME_INE_ELSEWHERE_USERNAME,
}


def link_conflict_of(
    endpoint: str,
    *,
    attached_to: LinkedAccount | None,
    same_ine_elsewhere: Sequence[LinkedAccount],
    own_user_id: int | None = None,
) -> StudentAlreadyLinked | None:
    """Why the student cannot be attached to a new account or to ``own_user_id``, if it cannot: it is
    attached to another account, ``attached_to`` (``R31``/``R32``; ``S51``/``S52`` answering an
    account creation), or, attached to none, a student of the same INE is attached to another
    account in another organization, the first of ``same_ine_elsewhere`` (``R11``/``R12``;
    ``S61``/``S62``). The code says whether that account logs in with an e-mail or a username; the
    hint is its login, obfuscated."""
    creating = endpoint == ENDPOINT_ACCOUNTS
    if attached_to is not None:
        if attached_to.user_id == own_user_id:
            return None
        reason = _ATTACHED[creating, bool(attached_to.email)]
        return StudentAlreadyLinked(reason, obfuscate_login(attached_to.login))
    if same_ine_elsewhere and own_user_id not in {account.user_id for account in same_ine_elsewhere}:
        other = same_ine_elsewhere[0]
        reason = _SAME_INE_ELSEWHERE[creating, bool(other.email)]
        return StudentAlreadyLinked(reason, obfuscate_login(other.login))
    return None


def account_refusal(
    student: Student, *, attached_here: Student | None, attached_students: Sequence[Student]
) -> UserAlreadyLinkedInOrganization | AccountBelongsToAnotherStudent | None:
    """Why a logged-in account cannot take ``student``, if it cannot: it is attached to another
    active student of the organization, ``attached_here`` (``R70``), or it is attached only to
    students (``attached_students``, the account's anywhere) with neither that INE nor that
    birthdate (``R90``: the account belongs to someone else)."""
    if attached_here is not None:
        return UserAlreadyLinkedInOrganization()
    others = [s for s in attached_students if s.id != student.id]
    if others and not any(
        s.national_student_id == student.national_student_id or s.birthdate == student.birthdate
        for s in others
    ):
        return AccountBelongsToAnotherStudent()
    return None


def match_record(
    campaign_id: int,
    endpoint: str,
    now: datetime,
    decision: MatchDecision | None,
    *,
    outcome: str | None = None,
    student_id: int | None = None,
    rule: str | None = None,
    reason: ReasonCode | None = None,
) -> RecordedMatch:
    """What is kept of a decision: the outcome, the rule, the student and the distances, never a
    typed name. ``decision`` is the matcher's (``None`` for the automatic attach by INE, which types
    nothing); ``outcome``, ``student_id`` and ``rule`` override it when what happened next differs
    (a conflict, a student disabled since), ``reason`` says why a conflict was refused."""
    return RecordedMatch(
        occurred_at=now,
        campaign_id=campaign_id,
        endpoint=endpoint,
        outcome=outcome or (decision.outcome if decision else "MATCHED"),
        rule=rule or (decision.rule if decision else RULE_AUTOMATIC),
        student_id=student_id if student_id is not None else (decision.student_id if decision else None),
        first_name_distance=decision.first_name_distance if decision else None,
        last_name_distance=decision.last_name_distance if decision else None,
        reason_code=reason.value if reason else None,
    )
