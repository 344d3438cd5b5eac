"""Name normalisation and leading particles (docs/rules.md, Identity matching steps 2 and 3)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.joining.name_normalisation import last_name_variants, normalise_name, strip_leading_particles


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" Jean-Éric ", "jeaneric"),
        ("D'Artagnan", "dartagnan"),
        ("CŒURDEROI", "coeurderoi"),
        ("Straße", "strasse"),
        ("STRAẞE", "strasse"),
        ("Lætitia", "laetitia"),
        ("Søren Łukasz Đorđević", "sorenlukaszdordevic"),
        ("Zoé\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0Ngô", "zoengo"),
        ("J.-P. O’Neil", "jponeil"),
        ("Louis XIV 2", "louisxiv2"),
        ("ﬁlou", "filou"),
        ("Ａｌａｎ", "alan"),
        ("𝐀𝐥𝐚𝐧", "alan"),
        ("---", ""),
        ("", ""),
    ],
)
def test_normalise_name(raw: str, normalised: str) -> None:
    assert normalise_name(raw) == normalised


@pytest.mark.parametrize(
    ("raw", "variants"),
    [
        ("DE LA FONTAINE", ("delafontaine", "lafontaine", "fontaine")),
        ("D'ALEMBERT", ("dalembert", "alembert")),
        ("d’Alembert", ("dalembert", "alembert")),
        ("DE L'ESTANG", ("delestang", "lestang", "estang")),
        ("DU BELLAY", ("dubellay", "bellay")),
        ("DES ESSARTS", ("desessarts", "essarts")),
        ("LES TROIS", ("lestrois", "trois")),
        ("LA-FONTAINE", ("lafontaine", "fontaine")),
        ("DELAUNAY", ("delaunay",)),
        ("DESCHAMPS", ("deschamps",)),
        ("LEGRAND", ("legrand",)),
        ("LE", ("le",)),
        ("DE LA", ("dela", "la")),
        ("VAN DER BERG", ("vanderberg",)),
        ("", ()),
        (None, ()),
    ],
)
def test_last_name_variants_strip_particles_on_word_boundaries(
    raw: str | None, variants: tuple[str, ...]
) -> None:
    assert last_name_variants(raw) == variants


@pytest.mark.parametrize(
    ("raw", "stripped"),
    [("DE LA FONTAINE", "fontaine"), ("D'ALEMBERT", "alembert"), ("DELAUNAY", "delaunay"), ("LE", "le")],
)
def test_strip_leading_particles(raw: str, stripped: str) -> None:
    assert strip_leading_particles(raw) == stripped


@given(st.text())
def test_normalisation_is_idempotent_and_keeps_only_ascii_letters_and_digits(text: str) -> None:
    normalised = normalise_name(text)

    assert re.fullmatch(r"[a-z0-9]*", normalised)
    assert normalise_name(normalised) == normalised


_NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæßøłđñ -'’."


@given(st.text(alphabet=_NAME_CHARACTERS + _NAME_CHARACTERS.upper()))
def test_normalisation_ignores_case(text: str) -> None:
    assert normalise_name(text.upper()) == normalise_name(text) == normalise_name(text.lower())


@given(st.text())
def test_variants_are_normalised_distinct_and_start_with_the_full_name(text: str) -> None:
    variants = last_name_variants(text)

    assert all(re.fullmatch(r"[a-z0-9]+", variant) for variant in variants)
    assert len(set(variants)) == len(variants)
    if normalise_name(text):
        assert variants[0] == normalise_name(text)
