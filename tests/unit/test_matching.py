"""Identity matching (docs/rules.md, Identity matching steps 2-5), one row per rule it must honour."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Invalid
from domain.joining.errors import EmptyName
from domain.joining.matching import (
    MatchCandidate,
    MatchDecision,
    TypedIdentity,
    aimed_students,
    match_student,
)


def student(
    student_id: int,
    first_name: str,
    last_name: str,
    *,
    middle_name: str | None = None,
    third_name: str | None = None,
    preferred_last_name: str | None = None,
) -> MatchCandidate:
    return MatchCandidate(student_id, first_name, middle_name, third_name, last_name, preferred_last_name)


ALAN = student(1, "Alan", "TURING")
TWINS = [student(10, "Allan", "DUPONT"), student(11, "Alian", "DUPONT")]


@dataclass(frozen=True)
class Case:
    why: str
    candidates: list[MatchCandidate]
    first_name: str
    last_name: str
    outcome: str
    student_id: int | None = None
    rule: str | None = None


CASES = [
    # Exact pass, first name
    Case("same names as imported", [ALAN], "Alan", "TURING", "MATCHED", 1, "exact:first_name"),
    Case("case does not matter", [ALAN], "aLAN", "turing", "MATCHED", 1, "exact:first_name"),
    Case("surrounding spaces vanish", [ALAN], "  Alan ", "\tTuring  ", "MATCHED", 1, "exact:first_name"),
    # Accents and letters without decomposition
    Case(
        "accents typed, none imported",
        [student(2, "ELOISE", "LEFEVRE")],
        "Éloïse",
        "Lefèvre",
        "MATCHED",
        2,
        "exact:first_name",
    ),
    Case(
        "accents imported, none typed",
        [student(2, "Éloïse", "LEFÈVRE")],
        "Eloise",
        "LEFEVRE",
        "MATCHED",
        2,
        "exact:first_name",
    ),
    Case(
        "upper-case accented letter",
        [student(3, "ÉLODIE", "ÇAKIR")],
        "élodie",
        "çakir",
        "MATCHED",
        3,
        "exact:first_name",
    ),
    Case(
        "œ imported, oe typed",
        [student(4, "Noé", "CŒURDEROI")],
        "Noe",
        "Coeurderoi",
        "MATCHED",
        4,
        "exact:first_name",
    ),
    Case(
        "oe imported, œ typed",
        [student(4, "Noé", "COEURDEROI")],
        "Noé",
        "Cœurderoi",
        "MATCHED",
        4,
        "exact:first_name",
    ),
    Case(
        "Œ upper-case ligature in a first name",
        [student(5, "Œdipe", "ROI")],
        "OEDIPE",
        "Roi",
        "MATCHED",
        5,
        "exact:first_name",
    ),
    Case(
        "ß typed, ss imported",
        [student(6, "Jonas", "STRASSER")],
        "Jonas",
        "Straßer",
        "MATCHED",
        6,
        "exact:first_name",
    ),
    Case(
        "ß imported, SS typed",
        [student(6, "Jonas", "Straßer")],
        "JONAS",
        "STRASSER",
        "MATCHED",
        6,
        "exact:first_name",
    ),
    Case(
        "æ is ae", [student(7, "Lætitia", "MARTIN")], "Laetitia", "Martin", "MATCHED", 7, "exact:first_name"
    ),
    Case(
        "ø, ł and đ are o, l and d",
        [student(8, "Søren", "ŁUKASZEWIĆ", middle_name="Đorđe")],
        "Soren",
        "Lukaszewic",
        "MATCHED",
        8,
        "exact:first_name",
    ),
    # Hyphens, apostrophes, spaces
    Case(
        "hyphen typed as a space",
        [student(9, "Jean-Éric", "MOREAU")],
        "Jean Eric",
        "Moreau",
        "MATCHED",
        9,
        "exact:first_name",
    ),
    Case(
        "hyphen left out",
        [student(9, "Jean-Éric", "MOREAU")],
        "Jeaneric",
        "Moreau",
        "MATCHED",
        9,
        "exact:first_name",
    ),
    Case(
        "apostrophe left out",
        [student(12, "Charles", "D'ARTAGNAN")],
        "Charles",
        "Dartagnan",
        "MATCHED",
        12,
        "exact:first_name",
    ),
    Case(
        "typographic apostrophe typed",
        [student(12, "Charles", "D'ARTAGNAN")],
        "Charles",
        "D’Artagnan",
        "MATCHED",
        12,
        "exact:first_name",
    ),
    Case(
        "spaces inside a last name left out",
        [student(13, "Piet", "VAN DER BERG")],
        "Piet",
        "Vanderberg",
        "MATCHED",
        13,
        "exact:first_name",
    ),
    # Particles
    Case(
        "Fontaine finds DE LA FONTAINE",
        [student(14, "Jean", "DE LA FONTAINE")],
        "Jean",
        "Fontaine",
        "MATCHED",
        14,
        "exact:first_name",
    ),
    Case(
        "La Fontaine finds DE LA FONTAINE",
        [student(14, "Jean", "DE LA FONTAINE")],
        "Jean",
        "La Fontaine",
        "MATCHED",
        14,
        "exact:first_name",
    ),
    Case(
        "the full name with its particles still matches",
        [student(14, "Jean", "DE LA FONTAINE")],
        "Jean",
        "de la fontaine",
        "MATCHED",
        14,
        "exact:first_name",
    ),
    Case(
        "Alembert finds D'ALEMBERT",
        [student(15, "Jean", "D'ALEMBERT")],
        "Jean",
        "Alembert",
        "MATCHED",
        15,
        "exact:first_name",
    ),
    Case(
        "Bellay finds DU BELLAY",
        [student(16, "Joachim", "DU BELLAY")],
        "Joachim",
        "Bellay",
        "MATCHED",
        16,
        "exact:first_name",
    ),
    Case(
        "Essarts finds DES ESSARTS",
        [student(17, "Anne", "DES ESSARTS")],
        "Anne",
        "Essarts",
        "MATCHED",
        17,
        "exact:first_name",
    ),
    Case(
        "DELAUNAY has no particle: Launay is 2 edits in 6",
        [student(18, "Robert", "DELAUNAY")],
        "Robert",
        "Launay",
        "NOT_FOUND",
    ),
    Case(
        "particles are only removed from the imported name",
        [student(19, "Jean", "FONTAINE")],
        "Jean",
        "De La Fontaine",
        "NOT_FOUND",
    ),
    Case(
        "a typo in a name whose particles were left out",
        [student(14, "Jean", "DE LA FONTAINE")],
        "Jean",
        "Fontane",
        "MATCHED",
        14,
        "fuzzy:first_name",
    ),
    # Usage names
    Case(
        "usage name typed",
        [student(20, "Camille", "MARTIN", preferred_last_name="DURAND")],
        "Camille",
        "Durand",
        "MATCHED",
        20,
        "exact:first_name",
    ),
    Case(
        "birth name still matches when there is a usage name",
        [student(20, "Camille", "MARTIN", preferred_last_name="DURAND")],
        "Camille",
        "Martin",
        "MATCHED",
        20,
        "exact:first_name",
    ),
    Case(
        "usage name without its particle",
        [student(21, "Hugo", "MARTIN", preferred_last_name="DE VILLIERS")],
        "Hugo",
        "Villiers",
        "MATCHED",
        21,
        "exact:first_name",
    ),
    # Second and third first names
    Case(
        "second first name typed",
        [student(22, "Marie", "LEGRAND", middle_name="Louise")],
        "Louise",
        "Legrand",
        "MATCHED",
        22,
        "exact:middle_name",
    ),
    Case(
        "third first name typed",
        [student(23, "Marie", "LEGRAND", middle_name="Louise", third_name="Gwendoline")],
        "Gwendoline",
        "Legrand",
        "MATCHED",
        23,
        "exact:third_name",
    ),
    Case(
        "a typo in the third first name",
        [student(23, "Marie", "LEGRAND", middle_name="Louise", third_name="Gwendoline")],
        "Gwendolyne",
        "Legrand",
        "MATCHED",
        23,
        "fuzzy:third_name",
    ),
    Case(
        "PRENOM is tried before PRENOM2",
        [student(24, "Marie", "ROUX"), student(25, "Jeanne", "ROUX", middle_name="Marie")],
        "Marie",
        "Roux",
        "MATCHED",
        24,
        "exact:first_name",
    ),
    Case(
        "an exact second first name beats a close first name",
        [student(26, "Louise", "BLANC"), student(27, "Paul", "BLANC", middle_name="Louis")],
        "Louis",
        "Blanc",
        "MATCHED",
        27,
        "exact:middle_name",
    ),
    Case(
        "part of a compound first name is too far",
        [student(28, "Marie-Claire", "PETIT")],
        "Marie",
        "Petit",
        "NOT_FOUND",
    ),
    # Typos
    Case(
        "one typo in 6 letters of the last name", [ALAN], "Alan", "Turong", "MATCHED", 1, "fuzzy:first_name"
    ),
    Case("one typo in 4 letters is exactly 0.25", [ALAN], "Alam", "Turing", "MATCHED", 1, "fuzzy:first_name"),
    Case("a typo in each name", [ALAN], "Alam", "Turong", "MATCHED", 1, "fuzzy:first_name"),
    Case("two typos in 6 letters is 0.33", [ALAN], "Alan", "Tarong", "NOT_FOUND"),
    Case(
        "three edits in 10 letters is 0.3",
        [student(29, "Maximilien", "ROBESPIERRE")],
        "Maxinilein",
        "Robespierre",
        "NOT_FOUND",
    ),
    Case(
        "two substitutions in 10 letters is 0.2",
        [student(29, "Maximilien", "ROBESPIERRE")],
        "Maximiluan",
        "Robespierre",
        "MATCHED",
        29,
        "fuzzy:first_name",
    ),
    Case("a swap of two letters costs two edits", [ALAN], "Alan", "Tuirng", "NOT_FOUND"),
    Case("first and last names swapped", [ALAN], "Turing", "Alan", "NOT_FOUND"),
    # Short names
    Case(
        "a 3-letter name exact",
        [student(30, "Léo", "NAY")],
        "LEO",
        "Nay",
        "MATCHED",
        30,
        "exact:first_name",
    ),
    Case("one typo in a 3-letter first name is 0.33", [student(30, "Léo", "NAY")], "Lea", "Nay", "NOT_FOUND"),
    Case("one typo in a 3-letter last name is 0.33", [student(30, "Léo", "NAY")], "Leo", "Nai", "NOT_FOUND"),
    Case("one typo in a 2-letter last name is 0.5", [student(31, "Minh", "LY")], "Minh", "Li", "NOT_FOUND"),
    Case(
        "an extra letter on a 2-letter name",
        [student(31, "Minh", "LY")],
        "Minh",
        "Lyy",
        "NOT_FOUND",
    ),
    # Twins and homonyms
    Case("twins: the exact pass finds Allan", TWINS, "Allan", "Dupont", "MATCHED", 10, "exact:first_name"),
    Case("twins: the exact pass finds Alian", TWINS, "ALIAN", "DUPONT", "MATCHED", 11, "exact:first_name"),
    Case(
        "twins: a typo equidistant to both is never a guess",
        TWINS,
        "Alxan",
        "Dupont",
        "AMBIGUOUS",
        None,
        "fuzzy:first_name",
    ),
    Case(
        "twins: a typo in the last name makes both first names close",
        TWINS,
        "Allan",
        "Dupond",
        "AMBIGUOUS",
        None,
        "fuzzy:first_name",
    ),
    Case(
        "twins whose first names are far apart are told apart by the fuzzy pass",
        [student(32, "Lucas", "MOREL"), student(33, "Emma", "MOREL")],
        "Lukas",
        "Morel",
        "MATCHED",
        32,
        "fuzzy:first_name",
    ),
    Case(
        "two students with the same names and birthdate",
        [student(34, "Léa", "MARTIN"), student(35, "Lea", "MARTIN")],
        "Léa",
        "Martin",
        "AMBIGUOUS",
        None,
        "exact:first_name",
    ),
    Case(
        "a homonym through a second first name stops at first_name already",
        [student(36, "Inès", "BERNARD"), student(37, "Inès", "BERNARD", middle_name="Sarah")],
        "Ines",
        "Bernard",
        "AMBIGUOUS",
        None,
        "exact:first_name",
    ),
    Case(
        "the last name tells apart students with the same first name",
        [student(38, "Alan", "TURING"), student(39, "Alan", "TURPIN")],
        "Alan",
        "Turing",
        "MATCHED",
        38,
        "exact:first_name",
    ),
    # What the caller filters out
    Case(
        "day and month swapped: nobody born that day", [], "Alan", "Turing", "NOT_FOUND", None, "no_candidate"
    ),
    Case(
        "a disabled student is not among the candidates",
        [student(40, "Ada", "LOVELACE")],
        "Alan",
        "Turing",
        "NOT_FOUND",
        None,
        "no_match",
    ),
    # Invisible characters
    Case(
        "zero-width space typed", [ALAN], "Al\u200ban", "Tu\u200dring\ufeff", "MATCHED", 1, "exact:first_name"
    ),
    Case(
        "zero-width characters in the imported names",
        [student(1, "A\u2060lan", "TUR\u200cING")],
        "Alan",
        "Turing",
        "MATCHED",
        1,
        "exact:first_name",
    ),
    Case(
        "soft hyphen and no-break space typed",
        [student(9, "Jean-Éric", "MOREAU")],
        "Jean\u00a0Éric",
        "Mo\u00adreau",
        "MATCHED",
        9,
        "exact:first_name",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.why for case in CASES])
def test_matching_table(case: Case) -> None:
    decision = match_student(case.candidates, TypedIdentity(case.first_name, case.last_name))

    assert decision.outcome == case.outcome
    assert decision.student_id == case.student_id
    if case.rule is not None:
        assert decision.rule == case.rule


def test_the_table_covers_at_least_45_cases_with_distinct_reasons() -> None:
    assert len(CASES) >= 45
    assert len({case.why for case in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("first_name", "last_name", "field"),
    [
        ("---", "Turing", "first_name"),
        ("Alan", "\u200b ' .", "last_name"),
        ("", "", "first_name"),
        ("\u0301\u0301", "Turing", "first_name"),
    ],
    ids=["punctuation only", "invisible and punctuation", "both empty: first name reported", "marks only"],
)
def test_a_typed_name_normalising_to_nothing_is_invalid(first_name: str, last_name: str, field: str) -> None:
    with pytest.raises(EmptyName) as raised:
        match_student([ALAN], TypedIdentity(first_name, last_name))

    assert isinstance(raised.value, Invalid)
    assert raised.value.code == "VALIDATION_ERROR"
    assert raised.value.meta == {"field": field}


def test_an_empty_name_is_invalid_even_without_candidates() -> None:
    with pytest.raises(EmptyName):
        match_student([], TypedIdentity("Alan", "--"))


def test_a_match_records_its_distances() -> None:
    decision = match_student([ALAN], TypedIdentity("Alam", "Turing"))

    assert decision == MatchDecision("MATCHED", 1, "fuzzy:first_name", 0.25, 0.0)


def test_the_last_name_distance_is_the_smallest_over_the_variants() -> None:
    candidate = student(14, "Jean", "DE LA FONTAINE", preferred_last_name="FONTANA")

    decision = match_student([candidate], TypedIdentity("Jean", "Fontaina"))

    assert decision.outcome == "MATCHED"
    assert decision.last_name_distance == pytest.approx(1 / 8)


def test_an_ambiguity_records_the_smallest_distances_and_no_student() -> None:
    decision = match_student(TWINS, TypedIdentity("Allan", "Dupond"))

    assert (decision.outcome, decision.student_id, decision.rule) == ("AMBIGUOUS", None, "fuzzy:first_name")
    assert decision.first_name_distance == 0.0
    assert decision.last_name_distance == pytest.approx(1 / 6)


def test_not_found_records_the_nearest_candidate_distances() -> None:
    candidates = [student(1, "Alan", "TURING"), student(2, "Zoé", "XU")]

    decision = match_student(candidates, TypedIdentity("Alan", "Tarong"))

    assert (decision.outcome, decision.student_id, decision.rule) == ("NOT_FOUND", None, "no_match")
    assert decision.first_name_distance == 0.0
    assert decision.last_name_distance == pytest.approx(2 / 6)


def test_no_candidate_records_no_distance() -> None:
    assert match_student([], TypedIdentity("Alan", "Turing")) == MatchDecision(
        "NOT_FOUND", None, "no_candidate", None, None
    )


def test_neither_the_decision_nor_a_repr_holds_a_name() -> None:
    typed = TypedIdentity("Alan", "Turing")
    candidate = student(1, "Alan", "TURING", middle_name="Mathison", preferred_last_name="TURING")

    for shown in (repr(match_student([candidate], typed)), repr(typed), repr(candidate)):
        assert not [name for name in ("alan", "turing", "mathison") if name in shown.lower()]


# Property: a pupil typing exactly their imported identity is always found.

_LETTERS = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæßøłđñ"
_WORDS = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
_PARTICLES = st.sampled_from(["", "de ", "de la ", "du ", "des ", "le ", "la ", "les ", "d'", "l'", "D’"])
_JOINERS = st.sampled_from([" ", "-", "'", ""])


@st.composite
def _compound(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=3))
    name = words[0]
    for word in words[1:]:
        name += draw(_JOINERS) + word
    return name


_CASINGS: st.SearchStrategy[Callable[[str], str]] = st.sampled_from(
    [str, str.upper, str.lower, str.title, str.swapcase]
)


@given(
    first_name=_compound(),
    last_name=st.tuples(_PARTICLES, _compound()).map("".join),
    middle_name=st.none() | _compound(),
    preferred_last_name=st.none() | st.tuples(_PARTICLES, _compound()).map("".join),
    stored_case=_CASINGS,
    typed_case=_CASINGS,
)
def test_a_student_always_matches_their_own_identity(
    first_name: str,
    last_name: str,
    middle_name: str | None,
    preferred_last_name: str | None,
    stored_case: Callable[[str], str],
    typed_case: Callable[[str], str],
) -> None:
    candidate = student(
        42,
        stored_case(first_name),
        stored_case(last_name),
        middle_name=middle_name,
        preferred_last_name=preferred_last_name,
    )

    decision = match_student([candidate], TypedIdentity(typed_case(first_name), typed_case(last_name)))

    assert decision.outcome == "MATCHED"
    assert decision.student_id == 42
    assert decision.rule == "exact:first_name"


# --- The students an attempt is aimed at (the brute-force guard counts against them) ------------

LEA, LEO = student(20, "Léa", "ROUX"), student(21, "Léo", "ROUX")
FONTAINE = student(30, "Jean", "DE LA FONTAINE", preferred_last_name="MARTIN")
MIDDLE = student(40, "Marie", "CURIE", middle_name="Salomea", third_name="Sklodowska")
ROSTER = [ALAN, LEA, LEO, FONTAINE, MIDDLE, *TWINS]


@pytest.mark.parametrize(
    ("why", "first_name", "last_name", "aimed"),
    [
        ("the names as imported", "Alan", "Turing", {1}),
        ("a letter too many", "Alan", "Turingg", {1}),
        ("a letter missing", "Alan", "Turin", {1}),
        ("a doubled letter in the first name", "Alann", "Turing", {1}),
        ("too far from every name", "Alan", "Tarong", set()),
        ("a twin's close name is not hers: Léa is not Léo", "Léa", "Roux", {20}),
        ("nor Léo Léa", "Leo", "roux", {21}),
        ("twins whose names are both close to the typed one", "Alan", "Dupont", {10, 11}),
        ("the last name without its particles", "Jean", "Fontaine", {30}),
        ("the last name with part of its particles", "Jean", "La Fontaine", {30}),
        ("the usage name", "Jean", "Martin", {30}),
        ("the middle name", "Salomea", "Curie", {40}),
        ("the third name, misspelled", "Sklodovska", "Curie", {40}),
        ("a given name with another student's last name", "Marie", "Turing", set()),
    ],
)
def test_the_students_an_attempt_is_aimed_at(
    why: str, first_name: str, last_name: str, aimed: set[int]
) -> None:
    assert aimed_students(ROSTER, TypedIdentity(first_name, last_name)) == aimed, why


def test_an_attempt_with_an_empty_name_is_invalid_even_against_an_empty_roster() -> None:
    with pytest.raises(EmptyName):
        aimed_students([], TypedIdentity("Alan", " - "))


_SHORT_NAMES = st.text(alphabet="abcdeé -", min_size=1, max_size=8).filter(
    lambda text: any(c.isalpha() for c in text)
)


@given(
    first_name=_SHORT_NAMES,
    last_name=_SHORT_NAMES,
    middle_name=st.none() | _SHORT_NAMES,
    preferred_last_name=st.none() | _SHORT_NAMES,
    typed_first=_SHORT_NAMES,
    typed_last=_SHORT_NAMES,
)
def test_an_attempt_is_aimed_at_a_student_exactly_when_the_matcher_would_find_them_alone(
    first_name: str,
    last_name: str,
    middle_name: str | None,
    preferred_last_name: str | None,
    typed_first: str,
    typed_last: str,
) -> None:
    """Born on the typed day and alone among the candidates, the student would be found: so the
    attempt is a guess at their birthdate, and it is aimed at them."""
    candidate = student(
        7, first_name, last_name, middle_name=middle_name, preferred_last_name=preferred_last_name
    )
    typed = TypedIdentity(typed_first, typed_last)

    found = match_student([candidate], typed).outcome == "MATCHED"

    assert (7 in aimed_students([candidate], typed)) == found


_GIVEN_NAME = st.none() | _SHORT_NAMES | st.just(" - ")  # " - " normalises to nothing
_ROSTER_ENTRIES = st.lists(
    st.tuples(
        _GIVEN_NAME,
        _GIVEN_NAME,
        _GIVEN_NAME,
        st.sampled_from(["roux", "rou", "dupont", "de roux"]),
        st.none() | st.sampled_from(["roux", "martin"]),
    ),
    min_size=1,
    max_size=12,
)


@given(entries=_ROSTER_ENTRIES, typed_first=_SHORT_NAMES, typed_last=st.sampled_from(["roux", "dupond"]))
def test_in_a_roster_an_attempt_is_aimed_at_each_student_the_matcher_would_find_alone(
    entries: list[tuple[str | None, str | None, str | None, str, str | None]],
    typed_first: str,
    typed_last: str,
) -> None:
    """Many pupils share a family name: each is aimed at on their own names, not their neighbours';
    a pupil without any given name is aimed at by no attempt."""
    roster = [
        student(
            number,
            first_name or "",
            last_name,
            middle_name=middle_name,
            third_name=third_name,
            preferred_last_name=preferred_last_name,
        )
        for number, (first_name, middle_name, third_name, last_name, preferred_last_name) in enumerate(
            entries
        )
    ]
    typed = TypedIdentity(typed_first, typed_last)

    alone = {c.student_id for c in roster if match_student([c], typed).outcome == "MATCHED"}

    assert aimed_students(roster, typed) == alone
