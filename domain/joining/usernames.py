"""Usernames of student accounts.

Business rule (docs/rules.md, Usernames): ``normalise(first_name) + "." + normalise(last_name)
+ DDMM`` from the *imported* record (``PRENOM``, ``NOM_DE_FAMILLE``, birthdate day then month),
never from what the pupil typed: Jean-Éric De La Fontaine born 2009-11-05 →
``jeaneric.delafontaine0511``. When it is taken, DDMM is replaced by 4 random digits, until free;
the caller guarantees uniqueness with a unique index and retries on conflict, passing the attempt
number. An empty normalised name falls back to ``eleve``.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Final

from domain.joining.name_normalisation import normalise_name

EMPTY_NAME_FALLBACK: Final = "eleve"


def username_for(
    first_name: str, last_name: str, birthdate: date, attempt: int, rng: random.Random | None
) -> str:
    """The username to try at ``attempt`` (0: with DDMM; 1 and more: with 4 random digits drawn from
    ``rng``, which attempt 0 does not need: seeding a generator costs more than the rest)."""
    if attempt < 0:
        raise ValueError("attempt must be 0 or more")
    if attempt == 0:
        suffix = f"{birthdate.day:02d}{birthdate.month:02d}"
    elif rng is None:
        raise ValueError("attempts after the first draw their digits from a generator")
    else:
        suffix = f"{rng.randrange(10_000):04d}"
    return f"{_part(first_name)}.{_part(last_name)}{suffix}"


def _part(name: str) -> str:
    return normalise_name(name) or EMPTY_NAME_FALLBACK
