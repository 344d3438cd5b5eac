"""The recovery rules that decide from what was read, with no input/output (docs/rules.md, Account
recovery): which imported records the pupil's typed identity designates, and whether the account
they lead to may be recovered."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.joining.matching import MatchCandidate, TypedIdentity, match_student
from domain.recovery.errors import RecoveryRefusal
from domain.students.entities import Student


@dataclass(frozen=True)
class TypedRecovery:
    """What the pupil typed; none of it in ``repr``, so no log line or traceback carries it."""

    national_student_id: str = dataclasses.field(repr=False)
    first_name: str = dataclasses.field(repr=False)
    last_name: str = dataclasses.field(repr=False)
    birthdate: date = dataclasses.field(repr=False)

    @property
    def names(self) -> TypedIdentity:
        return TypedIdentity(self.first_name, self.last_name)


def normalise_national_id(typed: str) -> str:
    """INEs are stored upper-case, without the spaces around them (the import's rule)."""
    return typed.strip().upper()


def candidate_of(student: Student) -> MatchCandidate:
    return MatchCandidate(
        student_id=student.id,
        first_name=student.first_name,
        middle_name=student.middle_name,
        third_name=student.third_name,
        last_name=student.last_name,
        preferred_last_name=student.preferred_last_name,
    )


def identity_records(records: Sequence[Student], typed: TypedRecovery) -> list[Student]:
    """The records of every school that the typed identity designates: exactly the INE and the birth
    date, and names the matcher accepts for that record (strict, then with its tolerance). Each
    record is one school's record of the pupil, so each is matched on its own, active or disabled.

    Raises ``EmptyName`` when a typed name normalises to nothing, whatever the records."""
    national_id = normalise_national_id(typed.national_student_id)
    born = [r for r in records if r.national_student_id == national_id and r.birthdate == typed.birthdate]
    if not born:
        match_student([], typed.names)  # checks the typed names as the matcher does
    return [r for r in born if match_student([candidate_of(r)], typed.names).outcome == "MATCHED"]


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the decision needs to know of an account the records lead to."""

    user_id: int
    has_email: bool
    held_by_active_record: bool
    """An active record of any organization is attached to it."""
    recovered: bool
    """A recovery of it was completed before."""


@dataclass(frozen=True, slots=True)
class RecoveryDecision:
    """The account to recover, or why none may be."""

    user_id: int | None
    refusal: RecoveryRefusal | None


def recovery_decision(records: Sequence[Student], accounts: Mapping[int, AccountFacts]) -> RecoveryDecision:
    """Whether the account the matched ``records`` lead to may be recovered. ``accounts`` holds the
    facts of every account attached to them. The reasons are checked in this order:

    - ``NO_ACCOUNT``: no record is attached to an account;
    - ``STILL_AT_SCHOOL``: one of the accounts is attached to an active record (of any school);
    - ``ALREADY_RECOVERED``: one of them was recovered before (once per account);
    - ``HAS_EMAIL``: one of them has an e-mail address (the forgotten-password e-mail);
    - ``SEVERAL_ACCOUNTS``: the records lead to more than one account.

    ``ALREADY_RECOVERED`` comes before ``HAS_EMAIL`` because a recovered account always has an
    e-mail (the recovery gave it one): the other way round, it could never be told."""
    user_ids = list(dict.fromkeys(r.user_id for r in records if r.user_id is not None))
    if not user_ids:
        return RecoveryDecision(None, RecoveryRefusal.NO_ACCOUNT)
    facts = [accounts[user_id] for user_id in user_ids]
    if any(r.is_active for r in records if r.user_id is not None) or any(
        f.held_by_active_record for f in facts
    ):
        return RecoveryDecision(None, RecoveryRefusal.STILL_AT_SCHOOL)
    if any(f.recovered for f in facts):
        return RecoveryDecision(None, RecoveryRefusal.ALREADY_RECOVERED)
    if any(f.has_email for f in facts):
        return RecoveryDecision(None, RecoveryRefusal.HAS_EMAIL)
    if len(user_ids) > 1:
        return RecoveryDecision(None, RecoveryRefusal.SEVERAL_ACCOUNTS)
    return RecoveryDecision(user_ids[0], None)
