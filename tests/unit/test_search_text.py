"""The search fold: its shortcuts for ASCII names and accented Latin ones give what the full fold
gives."""

from __future__ import annotations

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.students.search_text import fold, student_search_text


def full_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")
    )


@pytest.mark.parametrize(
    "name",
    ["DUPONT", "D'ALEMBERT", "Jean-Baptiste", "LE GALL  ", "mcDONALD", string.printable, ""],
)
def test_an_ascii_name_folds_as_any_other(name: str) -> None:
    assert fold(name) == full_fold(name)


@pytest.mark.parametrize("name", ["ZOÉ", "LE GALL-CŒURDEROI", "Ægir", "Straße", "ǅemal", "Noël"])
def test_other_names_still_lose_their_accents(name: str) -> None:
    assert fold(name) == full_fold(name)
    assert fold("BOUCHÉ") == "bouche"


def test_the_search_text_joins_the_folded_names() -> None:
    assert student_search_text("NOËL", None, "Jérôme", "", "Zoé") == "noel jerome zoe"


LATIN_NAMES = st.text(
    st.sampled_from("aeZ -'éÉèçÇüÜßẞœŒæÆøØåÅñİıﬁǅΣς\u0301\u0308\u0327\u034f\u0345\u1dc0\u20d0"), max_size=12
)
"""Letters of Latin names with marks that combine and marks that do not (U+034F), or that lie outside
the block of diacritics (U+0345, U+1DC0, U+20D0)."""


@given(st.one_of(LATIN_NAMES, st.text(max_size=12)))
def test_any_text_folds_as_the_full_fold_does(name: str) -> None:
    assert fold(name) == full_fold(name)
