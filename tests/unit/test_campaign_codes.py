"""Campaign codes (docs/rules.md, Campaigns)."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.campaigns.codes import generate_campaign_code, looks_like_campaign_code, normalise_campaign_code

UNAMBIGUOUS_CODE = re.compile(r"[ABCDEFGHJKMNPQRSTUVWXYZ]{6}[2-9]{3}")


@given(st.integers())
def test_generated_codes_are_six_unambiguous_letters_then_three_digits(seed: int) -> None:
    code = generate_campaign_code(random.Random(seed))

    assert UNAMBIGUOUS_CODE.fullmatch(code)
    assert not set(code) & set("O0I1L")
    assert looks_like_campaign_code(code)


def test_codes_drawn_from_the_system_generator_follow_the_rule_and_vary() -> None:
    codes = {generate_campaign_code() for _ in range(200)}

    assert all(UNAMBIGUOUS_CODE.fullmatch(code) for code in codes)
    assert len(codes) == 200


def test_codes_use_the_whole_alphabets() -> None:
    rng = random.Random(3)
    characters = set("".join(generate_campaign_code(rng) for _ in range(500)))

    assert characters == set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [(" abcdef234 ", "ABCDEF234"), ("AbCdEf234\n", "ABCDEF234"), ("ABCDEF234", "ABCDEF234")],
)
def test_codes_are_looked_up_trimmed_and_upper_case(typed: str, normalised: str) -> None:
    assert normalise_campaign_code(typed) == normalised
    assert looks_like_campaign_code(typed)


@pytest.mark.parametrize(
    "text",
    [
        "ABCDE234",
        "ABCDEFG234",
        "ABCDEF23",
        "ABCDEF2345",
        "ABCDEO234",
        "ABCDEF034",
        "ABCDEF1234",
        "ABC DEF234",
        "",
    ],
)
def test_what_cannot_be_a_code(text: str) -> None:
    assert not looks_like_campaign_code(text)
