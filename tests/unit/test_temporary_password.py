"""Temporary passwords of the teacher reset (docs/rules.md, Accounts and passwords)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts.temporary_password import generate_temporary_password

RULE = re.compile(r"[abcdefghjkmnpqrstuvwxyz]{6}[0-9]{2}")


# The generator draws from ``secrets``, which hypothesis cannot steer: each example is a new draw.
@settings(max_examples=300)
@given(st.just(None))
def test_six_unambiguous_letters_then_two_digits(nothing: None) -> None:
    assert RULE.fullmatch(generate_temporary_password())


def test_passwords_vary_and_use_the_whole_alphabets() -> None:
    passwords = [generate_temporary_password() for _ in range(1000)]

    assert len(set(passwords)) == len(passwords)
    assert set("".join(password[:6] for password in passwords)) == set("abcdefghjkmnpqrstuvwxyz")
    assert set("".join(password[6:] for password in passwords)) == set("0123456789")
