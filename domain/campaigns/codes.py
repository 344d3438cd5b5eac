"""Campaign codes, typed by pupils from a sheet or the board.

Business rule (docs/rules.md, Campaigns): 6 letters then 3 digits, from alphabets without the
characters one reads for another (no ``O``/``0``, ``I``/``1``, ``L``); unique (the caller retries on
a unique-index conflict); looked up case-insensitively with surrounding spaces trimmed.
"""

from __future__ import annotations

import random
import re
import secrets
from typing import Final

CODE_LETTERS: Final = "ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_DIGITS: Final = "23456789"
LETTER_COUNT: Final = 6
DIGIT_COUNT: Final = 3

_CODE_SHAPE: Final = re.compile(rf"[{CODE_LETTERS}]{{{LETTER_COUNT}}}[{CODE_DIGITS}]{{{DIGIT_COUNT}}}")


def generate_campaign_code(rng: random.Random | None = None) -> str:
    """A new code; random from the operating system unless a seeded ``rng`` is given (tests)."""
    source = rng if rng is not None else secrets.SystemRandom()
    letters = "".join(source.choice(CODE_LETTERS) for _ in range(LETTER_COUNT))
    digits = "".join(source.choice(CODE_DIGITS) for _ in range(DIGIT_COUNT))
    return letters + digits


def normalise_campaign_code(text: str) -> str:
    """The code as stored: surrounding spaces trimmed, upper-case."""
    return text.strip().upper()


def looks_like_campaign_code(text: str) -> bool:
    """Whether ``text``, once normalised, could be a code we generated (no lookup needed otherwise)."""
    return _CODE_SHAPE.fullmatch(normalise_campaign_code(text)) is not None
