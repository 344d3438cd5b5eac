"""Student usernames (docs/rules.md, Usernames)."""

from __future__ import annotations

import itertools
import random
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.joining.steps import username_attempts
from domain.joining.usernames import username_for
from tests.unit.fakes_campaigns import JoiningStore


def test_first_attempt_uses_the_imported_names_and_day_then_month() -> None:
    username = username_for("jean-Éric", "De La Fontaine", date(2009, 11, 5), 0, random.Random(1))

    assert username == "jeaneric.delafontaine0511"


def test_alan_turing() -> None:
    assert username_for("Alan", "TURING", date(2002, 6, 23), 0, random.Random(1)) == "alan.turing2306"


@pytest.mark.parametrize(
    ("first_name", "last_name", "expected"),
    [
        ("---", "TURING", "eleve.turing2306"),
        ("Alan", "\u200b", "alan.eleve2306"),
        ("", "", "eleve.eleve2306"),
    ],
)
def test_an_empty_normalised_name_falls_back_to_eleve(first_name: str, last_name: str, expected: str) -> None:
    assert username_for(first_name, last_name, date(2002, 6, 23), 0, random.Random(1)) == expected


def test_later_attempts_replace_the_birthdate_by_four_random_digits() -> None:
    rng = random.Random(7)
    usernames = [username_for("Alan", "Turing", date(2002, 6, 23), attempt, rng) for attempt in range(1, 40)]

    assert all(re.fullmatch(r"alan\.turing[0-9]{4}", username) for username in usernames)
    assert len(set(usernames)) > 30


def test_random_digits_keep_their_leading_zeros() -> None:
    class Zero(random.Random):
        def randrange(self, *args: object, **kwargs: object) -> int:
            return 42

    assert username_for("Alan", "Turing", date(2002, 6, 23), 1, Zero()) == "alan.turing0042"


def test_the_random_digits_come_from_the_given_generator() -> None:
    first = username_for("Alan", "Turing", date(2002, 6, 23), 3, random.Random(99))
    again = username_for("Alan", "Turing", date(2002, 6, 23), 3, random.Random(99))

    assert first == again


def test_the_first_attempt_draws_nothing_and_needs_no_generator() -> None:
    assert username_for("Alan", "Turing", date(2002, 6, 23), 0, None) == "alan.turing2306"
    with pytest.raises(ValueError, match="generator"):
        username_for("Alan", "Turing", date(2002, 6, 23), 1, None)


def test_a_students_attempts_draw_their_digits_from_a_generator_seeded_by_its_id() -> None:
    # The suggestion made when matching is then the username the account creation takes.
    store = JoiningStore()
    student = store.add_student(store.add_organization(), id=4242)
    born = student.birthdate
    rng = random.Random(4242)
    expected = ["alan.turing2306", *(username_for("Alan", "TURING", born, n, rng) for n in range(1, 5))]

    assert list(itertools.islice(username_attempts(student), 5)) == expected
    assert list(itertools.islice(username_attempts(student), 5)) == expected


def test_a_negative_attempt_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="attempt"):
        username_for("Alan", "Turing", date(2002, 6, 23), -1, random.Random(1))


@given(
    first_name=st.text(),
    last_name=st.text(),
    birthdate=st.dates(),
    attempt=st.integers(min_value=0, max_value=50),
    seed=st.integers(),
)
def test_usernames_are_lower_case_ascii_ending_in_four_digits(
    first_name: str, last_name: str, birthdate: date, attempt: int, seed: int
) -> None:
    username = username_for(first_name, last_name, birthdate, attempt, random.Random(seed))

    assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9]+[0-9]{4}", username)
    assert re.fullmatch(r"^[a-z0-9.]+[0-9]{4}$", username)
