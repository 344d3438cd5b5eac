"""Folding names for a search that ignores case and accents."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_DIACRITICS: Final = re.compile("[\u0300-\u034e\u0350-\u036f]")
"""The combining diacritical marks, the one mark of their block that does not combine (U+034F,
the grapheme joiner) left out: those of a Latin name once decomposed."""


def fold(text: str) -> str:
    """Lower case, no accents, spaces kept (``"Zoé D'Alembert"`` → ``"zoe d'alembert"``).

    An ASCII name (most of them) has nothing to decompose or drop: ``lower`` is the same fold, without
    the per-character pass an import pays for each of its thousands of names. An accented Latin name
    is ASCII once its diacritics are dropped, in one pass of the regular expression engine; any other
    text takes the pass over each character."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    latin = _DIACRITICS.sub("", decomposed)
    if latin.isascii():
        return latin
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")
    )


def student_search_text(*names: str | None) -> str:
    """The names folded as one text: folding works character by character, and a pupil's names are
    most often all ASCII, which then takes one ``lower``."""
    return fold(" ".join(name for name in names if name))
