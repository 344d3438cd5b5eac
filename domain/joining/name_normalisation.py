"""Name normalisation shared by identity matching, usernames and rate-limit keys.

Business rule (docs/rules.md, Identity matching step 2): case-fold first (so ``ß`` → ``ss``,
``Œ`` → ``œ``), Unicode NFKD, drop combining marks, map ``œ`` → ``oe``, ``æ`` → ``ae``, ``ø`` → ``o``,
``ł`` → ``l``, ``đ`` → ``d``, then keep only ``[a-z0-9]``: spaces, hyphens, apostrophes, dots and
zero-width characters vanish. ``" Jean-Éric "`` → ``jeaneric``; ``D'Artagnan`` → ``dartagnan``;
``CŒURDEROI`` → ``coeurderoi``.

Leading particles (step 3): a stored last name is also compared without its leading particles
(``de``, ``de la``, ``du``, ``des``, ``le``, ``la``, ``les``, ``d'``, ``l'``), detected on the word
boundaries of the *raw* name so that ``DELAUNAY`` keeps its ``de``.
"""

from __future__ import annotations

import re
import unicodedata

_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})
# NFKD can turn a compatibility character into an upper-case ASCII letter (mathematical letters such
# as "𝐀" have no case mapping of their own); lower-casing them keeps such letters instead of
# dropping them, on both sides alike.
_ASCII_UPPER_TO_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NOT_KEPT = re.compile(r"[^a-z0-9]+")

# Single particles, longest first; "de la" is "de" then "la", "de l'" is "de" then "l'".
_PARTICLE = re.compile(
    r"""
    ^\s*
    (?:
        (?:des|les|de|du|le|la)[\s\-]+   # a word particle, then a space or a hyphen
      | [dl]\s*['’ʼ‘`´]\s*               # d' or l', with any apostrophe
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)


def normalise_name(text: str) -> str:
    """Reduce a name to ``[a-z0-9]*`` so that case, accents and punctuation never matter."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    without_marks = "".join(char for char in folded if not unicodedata.combining(char))
    mapped = without_marks.translate(_LETTERS_WITHOUT_DECOMPOSITION).translate(_ASCII_UPPER_TO_LOWER)
    return _NOT_KEPT.sub("", mapped)


def strip_leading_particle(raw_name: str) -> str | None:
    """The raw name without its first leading particle, or ``None`` when it has none.

    A particle counts only when a word follows it: ``LE`` alone and ``DELAUNAY`` have none.
    """
    found = _PARTICLE.match(raw_name)
    if found is None:
        return None
    rest = raw_name[found.end() :]
    return rest if normalise_name(rest) else None


def strip_leading_particles(raw_name: str) -> str:
    """The normalised raw name without any of its leading particles: ``DE LA FONTAINE`` → ``fontaine``."""
    current = raw_name
    while (rest := strip_leading_particle(current)) is not None:
        current = rest
    return normalise_name(current)


def last_name_variants(raw_name: str | None) -> tuple[str, ...]:
    """The normalised forms a stored last name may be typed as, the full name first.

    Each leading particle is removed in turn, so ``DE LA FONTAINE`` gives ``delafontaine``,
    ``lafontaine`` and ``fontaine``; ``D'ALEMBERT`` gives ``dalembert`` and ``alembert``. Empty
    forms are left out, so a missing or blank name gives no variant.
    """
    variants: list[str] = []
    current: str | None = raw_name
    while current is not None:
        normalised = normalise_name(current)
        if normalised and normalised not in variants:
            variants.append(normalised)
        current = strip_leading_particle(current)
    return tuple(variants)
