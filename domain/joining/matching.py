"""Identity matching: which imported student is the pupil typing their names?

Business rule (docs/rules.md, Identity matching steps 2-5). The caller gives the candidates: the
organization's *active* students with exactly the typed birthdate. Both sides are normalised
(``normalise_name``). The distance of two names is their Levenshtein distance divided by the
length of the normalised typed value; "close" means at most 0.25. The typed last name is compared
with ``last_name``, ``preferred_last_name`` and each of them without its leading particles, keeping
the smallest distance.

Decision: for each pass (exact, i.e. distance 0 on both names, then fuzzy, i.e. close) and, within
it, for each given name in order (``first_name``, ``middle_name``, ``third_name``), take the
candidates whose given name is within the pass's limit of the typed first name and whose last name
is within it of the typed last name: exactly one → that student; two or more → ambiguous, stop and
never guess; none → next field. No student → not found.

The decision records the rule and the distances, never the typed names: it goes to the audit trail.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from domain.joining.errors import EmptyName
from domain.joining.name_normalisation import last_name_variants, normalise_name

CLOSE_DISTANCE: Final = 0.25
"""The largest distance (edits per character typed) still accepted by the fuzzy pass."""

GivenNameField = Literal["first_name", "middle_name", "third_name"]
GIVEN_NAME_FIELDS: Final[tuple[GivenNameField, ...]] = ("first_name", "middle_name", "third_name")
PASSES: Final[tuple[tuple[str, float], ...]] = (("exact", 0.0), ("fuzzy", CLOSE_DISTANCE))

STORED_NAMES_CACHE_SIZE: Final = 20_000
"""Students whose normalised names are kept between requests (a few schools of a few thousand):
looking for the students an attempt is aimed at compares the typed names with a whole roster."""

Outcome = Literal["MATCHED", "NOT_FOUND", "AMBIGUOUS"]
RULE_NO_CANDIDATE: Final = "no_candidate"
RULE_NO_MATCH: Final = "no_match"


@dataclass(frozen=True)
class MatchCandidate:
    """An active student of the organization born on the typed birthdate, as imported.

    Names stay out of ``repr`` so that no log line or traceback can carry them.
    """

    student_id: int
    first_name: str = dataclasses.field(repr=False)
    middle_name: str | None = dataclasses.field(repr=False)
    third_name: str | None = dataclasses.field(repr=False)
    last_name: str = dataclasses.field(repr=False)
    preferred_last_name: str | None = dataclasses.field(repr=False)


@dataclass(frozen=True)
class TypedIdentity:
    """The names the pupil typed (the birthdate has already chosen the candidates); not in ``repr``."""

    first_name: str = dataclasses.field(repr=False)
    last_name: str = dataclasses.field(repr=False)


@dataclass(frozen=True)
class MatchDecision:
    """The outcome and what decided it, safe to record: no name appears in it.

    ``rule`` is ``"<pass>:<field>"`` (``"exact:middle_name"``) for a match or an ambiguity, else
    ``"no_candidate"`` or ``"no_match"``. The distances are those of the matched student; for an
    ambiguity, the smallest among the students found; for ``no_match``, those of the nearest
    candidate (useful to tune the threshold); ``None`` when there was no candidate.
    """

    outcome: Outcome
    student_id: int | None
    rule: str
    first_name_distance: float | None
    last_name_distance: float | None


@dataclass(frozen=True)
class _StoredNames:
    given_names: dict[GivenNameField, str]  # normalised; a missing given name is left out
    last_names: tuple[str, ...]  # every form the last names may be typed as


@dataclass(frozen=True)
class _Distances:
    student_id: int
    given_names: dict[GivenNameField, float]
    last_name: float


def match_student(candidates: Sequence[MatchCandidate], typed: TypedIdentity) -> MatchDecision:
    """Find the one candidate the typed names designate, or say why there is none.

    Raises ``EmptyName`` when a typed name normalises to nothing, before looking at candidates.
    """
    typed_first, typed_last = _normalised(typed)
    if not candidates:
        return MatchDecision("NOT_FOUND", None, RULE_NO_CANDIDATE, None, None)

    measured = [_measure(candidate, typed_first, typed_last) for candidate in candidates]
    for pass_name, limit in PASSES:
        for field in GIVEN_NAME_FIELDS:
            found = [
                distances
                for distances in measured
                if distances.given_names.get(field, math.inf) <= limit and distances.last_name <= limit
            ]
            rule = f"{pass_name}:{field}"
            if len(found) == 1:
                (only,) = found
                return MatchDecision(
                    "MATCHED", only.student_id, rule, only.given_names[field], only.last_name
                )
            if len(found) > 1:
                return MatchDecision(
                    "AMBIGUOUS",
                    None,
                    rule,
                    min(distances.given_names[field] for distances in found),
                    min(distances.last_name for distances in found),
                )
    nearest = min(measured, key=_remoteness)
    first_name, last_name = _best_first_name(nearest), nearest.last_name
    return MatchDecision(
        "NOT_FOUND",
        None,
        RULE_NO_MATCH,
        first_name if math.isfinite(first_name) else None,
        last_name if math.isfinite(last_name) else None,
    )


class Roster:
    """The names of an organization's active students, normalised once, to find the students an
    attempt is aimed at: those whose names the fuzzy pass would accept for the typed ones (a given
    name and a last name each within ``CLOSE_DISTANCE``), whatever their birthdate. Any attempt
    that could find one of them, had the birthdate been theirs, is a guess at that student's
    birthdate, however the names were spelled."""

    def __init__(self, students: Iterable[MatchCandidate]) -> None:
        self._student_ids: list[int] = []
        # Every form of the students' last names, once each (a school has far fewer family names
        # than pupils), and for each the given names of the students who have it, each beside its
        # student's position: a close last name's given names are compared in one call, not in
        # one call per student (a common family name is shared by dozens of pupils).
        owners: dict[str, tuple[list[str], list[int]]] = {}
        for candidate in students:
            stored = _stored_names(candidate)
            position = len(self._student_ids)
            for last_name in stored.last_names:
                given_names, positions = owners.setdefault(last_name, ([], []))
                given_names.extend(stored.given_names.values())
                positions.extend([position] * len(stored.given_names))
            self._student_ids.append(candidate.student_id)
        self._last_names: list[str] = list(owners)
        self._owners: list[tuple[list[str], list[int]]] = list(owners.values())

    def __len__(self) -> int:
        return len(self._student_ids)

    def aimed_at(self, typed: TypedIdentity) -> frozenset[int]:
        """Raises ``EmptyName`` like ``match_student``."""
        typed_first, typed_last = _normalised(typed)
        first_edits, last_edits = _edits_allowed(typed_first), _edits_allowed(typed_last)
        close_last_names = process.extract(
            typed_last, self._last_names, scorer=Levenshtein.distance, score_cutoff=last_edits, limit=None
        )
        aimed: set[int] = set()
        for _, _, index in close_last_names:
            given_names, positions = self._owners[index]
            close_given_names = process.extract(
                typed_first, given_names, scorer=Levenshtein.distance, score_cutoff=first_edits, limit=None
            )
            aimed.update(self._student_ids[positions[found]] for _, _, found in close_given_names)
        return frozenset(aimed)


def aimed_students(roster: Iterable[MatchCandidate], typed: TypedIdentity) -> frozenset[int]:
    """The students of ``roster`` (active, all birthdates) an attempt is aimed at (``Roster``)."""
    return Roster(roster).aimed_at(typed)


def distance(typed: str, stored: str) -> float:
    """Levenshtein distance of two normalised names per character of the typed one."""
    return Levenshtein.distance(typed, stored) / len(typed)


def _normalised(typed: TypedIdentity) -> tuple[str, str]:
    typed_first = normalise_name(typed.first_name)
    if not typed_first:
        raise EmptyName("first_name")
    typed_last = normalise_name(typed.last_name)
    if not typed_last:
        raise EmptyName("last_name")
    return typed_first, typed_last


def _edits_allowed(typed: str) -> int:
    """The most edits a close name may be from the typed one: ``distance`` <= ``CLOSE_DISTANCE``."""
    return math.floor(CLOSE_DISTANCE * len(typed))


@lru_cache(maxsize=STORED_NAMES_CACHE_SIZE)
def _stored_names(candidate: MatchCandidate) -> _StoredNames:
    raw_given_names: dict[GivenNameField, str | None] = {
        "first_name": candidate.first_name,
        "middle_name": candidate.middle_name,
        "third_name": candidate.third_name,
    }
    # A missing given name is not compared, so it never counts as the nearest one in a decision.
    given_names = {
        field: name for field, raw in raw_given_names.items() if (name := normalise_name(raw or ""))
    }
    last_names = last_name_variants(candidate.last_name) + last_name_variants(candidate.preferred_last_name)
    return _StoredNames(given_names, last_names)


def _measure(candidate: MatchCandidate, typed_first: str, typed_last: str) -> _Distances:
    stored = _stored_names(candidate)
    given_names = {field: distance(typed_first, name) for field, name in stored.given_names.items()}
    last_name = min((distance(typed_last, name) for name in stored.last_names), default=math.inf)
    return _Distances(candidate.student_id, given_names, last_name)


def _best_first_name(distances: _Distances) -> float:
    return min(distances.given_names.values(), default=math.inf)


def _remoteness(distances: _Distances) -> tuple[float, float]:
    # The nearest candidate is the one whose worse name is the least far, then the closest overall.
    first_name = _best_first_name(distances)
    return (max(first_name, distances.last_name), first_name + distances.last_name)
