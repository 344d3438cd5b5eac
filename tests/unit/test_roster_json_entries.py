"""A JSON roster's entries are checked in one loop that takes the entries with nothing to say and
hands every other one to the field-by-field check (``domain/students/roster.py``). These tests hold
the shortcut to what the field-by-field check gives for every entry, on the inputs it could get
wrong: values that are not text, blank or padded texts, ``="…"``, names that look double-encoded,
bad dates, missing and unknown fields, entries that are not objects, duplicates and lengths at
their limits."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.students.roster import (
    JSON,
    ROSTER_FIELDS,
    Roster,
    _check_row,
    _double_encoded,
    check_roster,
)
from domain.students.siecle import SiecleReport, StudentRecord, no_students

TODAY = date(2025, 9, 10)


def entry(**fields: Any) -> dict[str, Any]:
    """A valid entry with ``fields`` changed; a field given as ``...`` is left out."""
    base: dict[str, Any] = {
        "national_student_id": "123456789AB",
        "first_name": "Jeanne",
        "last_name": "BARET",
        "birthdate": "2009-07-27",
        "division": "2NDE-AGRI",
    }
    return {name: value for name, value in (base | fields).items() if value is not ...}


def parsed(entries: list[object]) -> list[object]:
    """The entries as the reader has them: parsed from JSON text, keys shared between objects."""
    return list(json.loads(json.dumps({"students": entries}))["students"])


def field_by_field(entries: list[object]) -> SiecleReport:
    """What the roster rules give when every entry is checked field by field (no shortcut)."""
    report = SiecleReport()
    first_positions: dict[str, int] = {}
    for index, value in enumerate(entries):
        record = _check_row(
            index, value if type(value) is dict else None, False, TODAY, first_positions, report
        )
        if record is not None:
            report.records.append(record)
    for record in report.records:
        report.warnings.extend(_double_encoded(record, False))
    if not entries and not report.errors:
        report.errors.append(no_students([]))
    return report


def as_rows(entries: list[object]) -> SiecleReport:
    """The same entries given as rows (the path a CSV row takes, with its own shortcut)."""
    rows = [(index, value if type(value) is dict else None) for index, value in enumerate(entries)]
    return check_roster(Roster(format=JSON, rows=rows), TODAY)


def assert_same_as_field_by_field(entries: list[object]) -> SiecleReport:
    entries = parsed(entries)
    report = check_roster(Roster(format=JSON, rows=[], entries=entries), TODAY)
    assert report == field_by_field(entries)
    assert report == as_rows(entries)
    return report


TRICKY_ENTRIES: list[object] = [
    entry(),
    entry(national_student_id="agri0001 ", middle_name=" Marie ", preferred_last_name="COMMERSON"),
    entry(national_student_id="AGRI0001"),  # the same identifier once upper-cased and stripped
    entry(national_student_id="B1", third_name="", middle_name="   ", preferred_last_name=None),
    entry(national_student_id="B2", first_name=" \u00a0Léa\u2003", last_name="\x1cNGUYEN\t"),
    entry(national_student_id=42),
    entry(national_student_id="B3", last_name=42, division=None),
    entry(national_student_id="B4", first_name=True),
    entry(national_student_id="B5", birthdate=20090727),
    entry(national_student_id="B6", middle_name=7),
    entry(national_student_id="B7", third_name=["Anne"]),
    entry(national_student_id="B8", preferred_last_name={"nom": "X"}),
    entry(national_student_id="B9", division=1.5),
    entry(national_student_id=["B10"]),
    entry(national_student_id=""),
    entry(national_student_id="B11", first_name=""),
    entry(national_student_id="B12", last_name="  "),
    entry(national_student_id="B13", division=" "),
    entry(national_student_id="B14", birthdate=""),
    entry(national_student_id="B15", birthdate="27/07/2009"),
    entry(national_student_id="B16", birthdate="2009-02-30"),
    entry(national_student_id="B17", birthdate="2009-7-27"),
    entry(national_student_id="B18", birthdate="2025-09-11"),  # tomorrow
    entry(national_student_id="B19", birthdate=" 2009-07-27 "),
    entry(national_student_id="B20", birthdate="0000-01-01"),
    entry(national_student_id="B21", birthdate="20090727"),
    entry(national_student_id='="012345678AB"'),
    entry(national_student_id="B22", first_name='=" "'),
    entry(national_student_id="B23", last_name="=1+1"),
    entry(national_student_id="B24", middle_name='="Marie"', division='="2NDE"'),
    entry(national_student_id="B25", last_name="DE=LA"),
    entry(national_student_id="B26", last_name="MÃœLLER"),
    entry(national_student_id="B27", first_name="AndrÃ©"),
    entry(national_student_id="B28", middle_name="Ã©lodie", third_name="ZoÃ«"),
    entry(national_student_id="B29", preferred_last_name="BÃ‰NARD"),
    entry(national_student_id="B30", last_name="MÃ", first_name="©lie"),  # a pair across two names
    entry(national_student_id="B31", first_name="Zoé", middle_name="Maëlys", third_name="Œdipe"),
    entry(national_student_id="B32", last_name="Cœurvaillant", preferred_last_name="D’ARTAGNAN"),
    entry(national_student_id="X" * 20),
    entry(national_student_id="X" * 21),
    entry(national_student_id="ß" * 20),  # 20 long, 40 once upper-cased: stored as it is
    entry(national_student_id="B33", division="D" * 64),
    entry(national_student_id="B34", division="D" * 65),
    entry(national_student_id="B35", last_name="L" * 255),
    entry(national_student_id="B36", first_name="F" * 256),
    entry(national_student_id="B37", middle_name="M" * 256),
    entry(national_student_id="B38", last_name="L" * 200, first_name="F" * 100),  # together > 255
    entry(national_student_id="B39", remarks="redoublant", sex="F"),  # unknown keys
    entry(national_student_id="B40", first_name=..., remarks="x"),  # five keys, one unknown
    entry(national_student_id="B41", birthdate=...),
    entry(national_student_id=...),
    {},
    None,
    ["123456789AB", "Jeanne", None, None, "BARET", None, "2009-07-27", "2NDE-AGRI"],
    "123456789AB;Jeanne;BARET",
    12,
]


class TestTheShortcutGivesWhatTheFieldByFieldCheckGives:
    def test_on_every_tricky_entry_at_once(self) -> None:
        report = assert_same_as_field_by_field(TRICKY_ENTRIES)

        assert report.errors and report.records and report.warnings

    @pytest.mark.parametrize("index", range(len(TRICKY_ENTRIES)))
    def test_on_each_tricky_entry_alone(self, index: int) -> None:
        assert_same_as_field_by_field([TRICKY_ENTRIES[index]])

    def test_an_empty_roster_is_no_students(self) -> None:
        report = assert_same_as_field_by_field([])

        assert [issue.code for issue in report.errors] == ["NO_STUDENTS"]

    def test_a_valid_entry_gives_its_record_placed_by_index(self) -> None:
        report = assert_same_as_field_by_field(
            [entry(), entry(national_student_id=" agri0002 ", middle_name=" Marie ", third_name="")]
        )

        assert report.errors == [] and report.warnings == []
        assert report.records[1] == StudentRecord(
            line=None,
            national_student_id="AGRI0002",
            last_name="BARET",
            preferred_last_name=None,
            first_name="Jeanne",
            middle_name="Marie",
            third_name=None,
            birthdate=date(2009, 7, 27),
            birth_country_code=None,
            birth_department_code=None,
            birth_city_code=None,
            birth_city=None,
            mef_code=None,
            status=None,
            division="2NDE-AGRI",
            json_index=1,
        )
        assert type(report.records[1]) is StudentRecord

    def test_a_later_duplicate_names_the_first_index_even_after_an_error(self) -> None:
        report = assert_same_as_field_by_field(
            [entry(birthdate="bad"), entry(), entry(national_student_id=" 123456789ab")]
        )

        assert [(issue.code, issue.meta) for issue in report.errors] == [
            ("INVALID_BIRTHDATE", {"index": 0, "value": "bad"}),
            ("DUPLICATE_NATIONAL_STUDENT_ID", {"index": 1, "first_index": 0}),
            ("DUPLICATE_NATIONAL_STUDENT_ID", {"index": 2, "first_index": 0}),
        ]


TRICKY_TEXTS = st.one_of(
    st.sampled_from(
        ["", " ", "\u00a0", " a ", "=", '="x"', '=" "', "Ã©", "MÃœLLER", "©", "Ã", "Œ", "ß", "D" * 65]
    ),
    st.text(alphabet="aZ =\"'-é©Ã’œ\u00a0\t", max_size=6),
)
NAMES = st.sampled_from(["Jeanne", "Léa", "LE GALL", "D’ARTAGNAN", "Cœur", "Zoé"])
VALID = {
    "national_student_id": st.sampled_from(["A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8"]),
    "birthdate": st.sampled_from(["2009-07-27", "2010-01-01", "2008-12-31"]),
    "division": st.sampled_from(["2NDE-AGRI", "TSTAV1"]),
}
TRICKY = {
    "national_student_id": st.sampled_from(["a1 ", " A1", "b2", '="A1"', "X" * 21, "ß" * 20]),
    "birthdate": st.sampled_from([" 2009-07-27", "2009-02-30", "27/07/2009", "2025-09-11", "0000-01-01"]),
}
NOT_TEXT = st.one_of(st.none(), st.integers(), st.booleans(), st.floats(allow_nan=False), st.just([]))
OPTIONAL = frozenset({"middle_name", "third_name", "preferred_last_name"})


@st.composite
def roster_entries(draw: st.DrawFn) -> object:
    """Mostly valid entries, each field sometimes missing, not text or a tricky text."""
    if draw(st.integers(0, 19)) == 0:
        return draw(st.one_of(st.none(), st.just([]), st.text(max_size=3), st.integers()))
    result: dict[str, object] = {}
    for name in ROSTER_FIELDS:
        kind = draw(st.integers(0, 19))
        if kind == 0 or (name in OPTIONAL and kind < 12):
            continue  # missing
        if kind == 1:
            result[name] = draw(NOT_TEXT)
        elif kind <= 4:
            result[name] = draw(TRICKY.get(name, TRICKY_TEXTS))
        else:
            result[name] = draw(VALID.get(name, NAMES))
    if draw(st.integers(0, 4)) == 0:
        result["remarks"] = draw(st.one_of(TRICKY_TEXTS, NOT_TEXT))
    return result


@settings(max_examples=400, deadline=None)
@given(st.lists(roster_entries(), max_size=10))
def test_any_entries_give_what_the_field_by_field_check_gives(entries: list[object]) -> None:
    assert_same_as_field_by_field(entries)
