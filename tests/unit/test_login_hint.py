"""Obfuscated login hints (docs/rules.md, Identity matching step 6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts.login_hint import obfuscate_login


@pytest.mark.parametrize(
    ("login", "hint"),
    [
        ("john.harry@example.net", "j***@example.net"),
        ("first.last0112", "f***.l***2"),
        ("alan.turing2306", "a***.t***6"),
        ("eleve0511", "e***1"),
        ("a@b.fr", "a***@b.fr"),
        ("jean.de.la.fontaine0511", "j***.d***.l***.f***1"),
        ("ab", "a***b"),
        ("a", "a***"),
        ("", "***"),
    ],
)
def test_obfuscate_login(login: str, hint: str) -> None:
    assert obfuscate_login(login) == hint


@given(st.from_regex(r"[a-z]{2,12}\.[a-z]{2,20}[0-9]{4}", fullmatch=True))
def test_a_username_hint_never_shows_the_login(username: str) -> None:
    hint = obfuscate_login(username)

    assert hint != username
    assert hint.count("***") == 2
    assert hint.startswith(username[0])
    assert hint.endswith(username[-1])
