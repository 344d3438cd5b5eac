"""Temporary passwords handed out by a teacher's bulk reset.

Business rule (docs/rules.md, Accounts and passwords): 6 letters from
``abcdefghjkmnpqrstuvwxyz`` (no ``i``, ``l``, ``o``, which read as ``1`` and ``0``) and 2 digits,
exempt from the password policy, valid 30 days, to be changed at first login.

Choice: the letters come first, then the digits (``kvbtwm47``). Pupils type it on phones and
teachers may read it aloud: one switch to the digit keyboard, and a fixed shape that is easy to
copy from a printed sheet. The cost is the positions' entropy (28 arrangements, under 5 bits);
what remains, 23⁶ x 10² ≈ 1.5 x 10¹⁰ (about 34 bits), suffices for a password that expires, must be
changed at first login and is guarded by the login rate limits.
"""

from __future__ import annotations

import secrets
import string
from typing import Final

LETTERS: Final = "abcdefghjkmnpqrstuvwxyz"
DIGITS: Final = string.digits
LETTER_COUNT: Final = 6
DIGIT_COUNT: Final = 2


def generate_temporary_password() -> str:
    """Six letters then two digits, drawn with ``secrets``."""
    letters = "".join(secrets.choice(LETTERS) for _ in range(LETTER_COUNT))
    digits = "".join(secrets.choice(DIGITS) for _ in range(DIGIT_COUNT))
    return letters + digits
