"""Why a student cannot be attached, and what is kept of a matching decision: the joining rules that
decide from what was read, one row per case."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.accounts.login_hint import obfuscate_login
from domain.joining.decisions import (
    ENDPOINT_ACCOUNTS,
    ENDPOINT_LINKS,
    ENDPOINT_MATCHES,
    RULE_AUTOMATIC,
    account_refusal,
    link_conflict_of,
    match_record,
)
from domain.joining.errors import (
    AccountBelongsToAnotherStudent,
    ReasonCode,
    UserAlreadyLinkedInOrganization,
)
from domain.joining.matching import MatchDecision
from domain.joining.ports import LinkedAccount, RecordedMatch
from domain.students.entities import Student

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLER = 7

BY_EMAIL = LinkedAccount(user_id=20, username=None, email="ada.lovelace@example.fr")
BY_USERNAME = LinkedAccount(user_id=21, username="ada.lovelace2312", email=None)
BY_BOTH = LinkedAccount(user_id=22, username="ada.lovelace2312", email="ada@example.fr")
CALLERS_OWN = LinkedAccount(user_id=CALLER, username="ada.lovelace2312", email=None)


@pytest.mark.parametrize(
    ("endpoint", "attached_to", "same_ine_elsewhere", "expected"),
    [
        # Attached here to another account: R3x, S5x when the answer is to an account creation.
        (ENDPOINT_MATCHES, BY_EMAIL, [], (ReasonCode.ATTACHED_EMAIL, BY_EMAIL)),
        (ENDPOINT_LINKS, BY_EMAIL, [], (ReasonCode.ATTACHED_EMAIL, BY_EMAIL)),
        (ENDPOINT_MATCHES, BY_USERNAME, [], (ReasonCode.ATTACHED_USERNAME, BY_USERNAME)),
        (ENDPOINT_LINKS, BY_USERNAME, [], (ReasonCode.ATTACHED_USERNAME, BY_USERNAME)),
        (ENDPOINT_ACCOUNTS, BY_EMAIL, [], (ReasonCode.CREATING_ATTACHED_EMAIL, BY_EMAIL)),
        (ENDPOINT_ACCOUNTS, BY_USERNAME, [], (ReasonCode.CREATING_ATTACHED_USERNAME, BY_USERNAME)),
        # An account with both logs in with its e-mail: that is what the code and the hint say.
        (ENDPOINT_LINKS, BY_BOTH, [], (ReasonCode.ATTACHED_EMAIL, BY_BOTH)),
        # Attached to none here, a student of the same INE is elsewhere: R1x / S6x, the most recent first.
        (ENDPOINT_MATCHES, None, [BY_EMAIL, BY_USERNAME], (ReasonCode.SAME_INE_ELSEWHERE_EMAIL, BY_EMAIL)),
        (ENDPOINT_LINKS, None, [BY_USERNAME], (ReasonCode.SAME_INE_ELSEWHERE_USERNAME, BY_USERNAME)),
        (ENDPOINT_ACCOUNTS, None, [BY_EMAIL], (ReasonCode.CREATING_SAME_INE_ELSEWHERE_EMAIL, BY_EMAIL)),
        (
            ENDPOINT_ACCOUNTS,
            None,
            [BY_USERNAME, BY_EMAIL],
            (ReasonCode.CREATING_SAME_INE_ELSEWHERE_USERNAME, BY_USERNAME),
        ),
        # Free.
        (ENDPOINT_MATCHES, None, [], None),
        (ENDPOINT_ACCOUNTS, None, [], None),
    ],
)
def test_a_conflict_says_which_account_holds_the_student(endpoint, attached_to, same_ine_elsewhere, expected):
    conflict = link_conflict_of(endpoint, attached_to=attached_to, same_ine_elsewhere=same_ine_elsewhere)
    if expected is None:
        assert conflict is None
    else:
        reason, account = expected
        assert conflict is not None
        assert conflict.meta == {"reason_code": reason.value, "login_hint": obfuscate_login(account.login)}


@pytest.mark.parametrize(
    ("attached_to", "same_ine_elsewhere", "expected"),
    [
        (CALLERS_OWN, [], None),  # the caller's own account: no conflict
        (BY_USERNAME, [], ReasonCode.ATTACHED_USERNAME),
        (None, [CALLERS_OWN], None),  # the caller holds the student of that INE elsewhere
        (None, [BY_EMAIL, CALLERS_OWN], None),
        (None, [BY_EMAIL], ReasonCode.SAME_INE_ELSEWHERE_EMAIL),
    ],
)
def test_the_callers_own_account_is_no_conflict(attached_to, same_ine_elsewhere, expected):
    conflict = link_conflict_of(
        ENDPOINT_LINKS, attached_to=attached_to, same_ine_elsewhere=same_ine_elsewhere, own_user_id=CALLER
    )
    assert (conflict.reason if conflict else None) is expected


STUDENT = Student(
    id=1,
    organization_id=3,
    national_student_id="123456789AA",
    last_name="LOVELACE",
    preferred_last_name=None,
    first_name="Ada",
    middle_name=None,
    third_name=None,
    birthdate=date(2011, 12, 10),
    division="6A",
    user_id=None,
    created_at=NOW,
    updated_at=NOW,
    disabled_at=None,
)


def elsewhere(**changes: Any) -> Student:
    return dataclasses.replace(STUDENT, **{"id": 2, "organization_id": 4, "user_id": CALLER, **changes})


@pytest.mark.parametrize(
    ("attached_here", "attached_students", "expected"),
    [
        ([], [], None),  # a fresh account
        ([], [elsewhere()], None),  # the same pupil, from another school
        ([], [elsewhere(national_student_id="999999999ZZ")], None),  # same birthdate: an INE typo
        ([], [elsewhere(birthdate=date(2011, 1, 1))], None),  # same INE: a birthdate typo
        (
            [],
            [elsewhere(national_student_id="999999999ZZ", birthdate=date(2011, 1, 1))],
            AccountBelongsToAnotherStudent,
        ),
        (
            [],
            [
                elsewhere(national_student_id="999999999ZZ", birthdate=date(2011, 1, 1)),
                dataclasses.replace(elsewhere(), id=3),
            ],
            None,  # one of the account's students is that pupil
        ),
        ([], [STUDENT], None),  # the student itself does not count as another one
        ([elsewhere(organization_id=3)], [elsewhere(organization_id=3)], UserAlreadyLinkedInOrganization),
        (
            [elsewhere(organization_id=3)],
            [elsewhere(national_student_id="999999999ZZ", birthdate=date(2011, 1, 1))],
            UserAlreadyLinkedInOrganization,  # R70 is said before R90
        ),
    ],
)
def test_an_account_takes_no_student_it_cannot_be(attached_here, attached_students, expected):
    refusal = account_refusal(
        STUDENT,
        attached_here=attached_here[0] if attached_here else None,
        attached_students=attached_students,
    )
    assert (type(refusal) if refusal else None) is expected


def test_the_refusals_carry_their_reason_codes():
    r70 = account_refusal(STUDENT, attached_here=elsewhere(organization_id=3), attached_students=[])
    r90 = account_refusal(
        STUDENT,
        attached_here=None,
        attached_students=[elsewhere(national_student_id="999999999ZZ", birthdate=date(2011, 1, 1))],
    )
    assert r70 is not None and r70.meta == {"reason_code": "R70"}
    assert r90 is not None and r90.meta == {"reason_code": "R90"}


MATCHED = MatchDecision("MATCHED", 1, "exact:first_name", 0.0, 0.04)
NOT_FOUND = MatchDecision("NOT_FOUND", None, "no_match", 0.31, 0.2)


def recorded(
    outcome: str, rule: str, student_id: int | None, distances: tuple[float | None, float | None], reason=None
) -> RecordedMatch:
    return RecordedMatch(NOW, 9, ENDPOINT_LINKS, outcome, rule, student_id, *distances, reason)


@pytest.mark.parametrize(
    ("decision", "overrides", "expected"),
    [
        (MATCHED, {}, recorded("MATCHED", "exact:first_name", 1, (0.0, 0.04))),
        (NOT_FOUND, {}, recorded("NOT_FOUND", "no_match", None, (0.31, 0.2))),
        (
            MatchDecision("AMBIGUOUS", None, "exact:first_name", 0.0, 0.0),
            {},
            recorded("AMBIGUOUS", "exact:first_name", None, (0.0, 0.0)),
        ),
        # A conflict keeps the matcher's rule and distances, with the student and the reason.
        (
            MATCHED,
            {"outcome": "CONFLICT", "student_id": 1, "reason": ReasonCode.ATTACHED_EMAIL},
            recorded("CONFLICT", "exact:first_name", 1, (0.0, 0.04), "R31"),
        ),
        # Disabled between the match and the write.
        (
            MATCHED,
            {"outcome": "NOT_FOUND", "rule": "student_disabled"},
            recorded("NOT_FOUND", "student_disabled", 1, (0.0, 0.04)),
        ),
        # The automatic attach by INE: no matcher, no distances.
        (None, {"student_id": 5}, recorded("MATCHED", RULE_AUTOMATIC, 5, (None, None))),
        (
            None,
            {"outcome": "NOT_FOUND", "rule": RULE_AUTOMATIC},
            recorded("NOT_FOUND", RULE_AUTOMATIC, None, (None, None)),
        ),
        (
            None,
            {"outcome": "CONFLICT", "student_id": 5, "reason": ReasonCode.USER_ALREADY_LINKED},
            recorded("CONFLICT", RULE_AUTOMATIC, 5, (None, None), "R70"),
        ),
    ],
)
def test_what_is_kept_of_each_decision(decision, overrides, expected):
    assert match_record(9, ENDPOINT_LINKS, NOW, decision, **overrides) == expected


def test_a_record_has_no_place_for_a_name():
    fields = {field.name for field in dataclasses.fields(RecordedMatch)}
    assert fields == {
        "occurred_at",
        "campaign_id",
        "endpoint",
        "outcome",
        "rule",
        "student_id",
        "first_name_distance",
        "last_name_distance",
        "reason_code",
    }
