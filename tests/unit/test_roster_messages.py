"""Every item of a CSV or JSON roster reads as a sentence in French and English that names its place
(the line, or the JSON index) and the pupil as far as the row does, and never speaks of an INE."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from api.siecle_messages import ROSTER_MESSAGES, roster_detail
from domain.students.errors import InvalidStudentFile, issues_as_dicts
from domain.students.import_students import plan_returning_accounts
from domain.students.ports import AccountElsewhere
from domain.students.roster import (
    CSV,
    CSV_COLUMNS,
    JSON,
    ROSTER_FIELDS,
    Roster,
    check_roster,
    map_columns,
    unknown_columns,
)

TODAY = date(2025, 9, 10)


def row(**fields: Any) -> tuple[object, ...]:
    values: dict[str, Any] = {
        "national_student_id": "AGRI0001",
        "first_name": "Jeanne",
        "middle_name": None,
        "third_name": None,
        "last_name": "BARET",
        "preferred_last_name": None,
        "birthdate": "27/07/2009",
        "division": "1STAV1",
    } | fields
    return tuple(values[name] for name in ROSTER_FIELDS)


def csv_items() -> list[dict[str, Any]]:
    header = [*[h for h, _ in CSV_COLUMNS], "Régime"]
    roster = Roster(
        format=CSV,
        rows=[
            (2, row()),
            (3, row(first_name="")),
            (4, row(national_student_id="", last_name="")),
            (5, row(national_student_id="AGRI0005", birthdate="")),
            (6, row(national_student_id="AGRI0006", birthdate="32/01/2009")),
            (7, row(national_student_id="AGRI0007", division="")),
            (8, row(national_student_id="AGRI0008", last_name="L" * 300)),
            (9, row(national_student_id="AGRI0009", last_name="MÃœLLER")),
        ],
        warnings=unknown_columns(map_columns(header)),
    )
    report = check_roster(roster, TODAY)
    items = issues_as_dicts(report.errors)
    items += [dataclasses.asdict(warning) for warning in report.warnings]
    kept = report.records[:1]
    _, elsewhere = plan_returning_accounts(
        1, kept, [AccountElsewhere(kept[0].national_student_id, kept[0].birthdate, 7)], {7: frozenset({2})}
    )
    items += [dataclasses.asdict(warning) for warning in elsewhere]
    return items


def json_items() -> list[dict[str, Any]]:
    roster = Roster(
        format=JSON,
        rows=[
            (0, row(birthdate="2009-07-27")),
            (1, None),
            (2, row(birthdate="2009-07-27", first_name=3, national_student_id="AGRI0002")),
        ],
    )
    return issues_as_dicts(check_roster(roster, TODAY).errors)


def file_items() -> list[dict[str, Any]]:
    singles = [
        InvalidStudentFile.single("MISSING_COLUMN", line=1, column="Division*"),
        InvalidStudentFile.single("MALFORMED_CSV", line=12, reason="unexpected end of data"),
        InvalidStudentFile.single("MALFORMED_JSON", line=3, column=7, reason="Expecting value"),
        InvalidStudentFile.single("MALFORMED_JSON", reason="too many values for a roster"),
        InvalidStudentFile.single("INVALID_ENCODING", line=4, encoding="UTF-8 / Windows-1252"),
        InvalidStudentFile.single("INVALID_FIELD", field="students", expected="list"),
    ]
    items = [error.errors[0] for error in singles if error.errors]
    items += issues_as_dicts(check_roster(Roster(format=CSV, rows=[]), TODAY).errors)
    return items


ALL = csv_items() + json_items() + file_items()


def code_of(item: dict[str, Any]) -> str:
    return str(item.get("code"))


def test_every_roster_code_is_met_and_has_both_languages() -> None:
    met = {code_of(item) for item in ALL} | {"INVALID_ENTRY", "INVALID_DOCUMENT"}

    assert set(ROSTER_MESSAGES) <= met
    for french, english in ROSTER_MESSAGES.values():
        assert french.strip() and english.strip() and french != english


@pytest.mark.parametrize("item", ALL, ids=code_of)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_item_reads_as_a_whole_sentence(item: dict[str, Any], language: str) -> None:
    detail = roster_detail(item, language)  # type: ignore[arg-type]

    assert detail and "{" not in detail and "None" not in detail
    assert "INE" not in detail.replace("INEXISTANT", "")
    if item.get("line") is not None and code_of(item) not in {
        "UNKNOWN_COLUMN",
        "MISSING_COLUMN",
        "MALFORMED_JSON",
    }:
        assert detail.startswith(("Ligne ", "Line ")), detail
    if (item.get("meta") or {}).get("index") is not None:
        assert detail.startswith(("Élève d'index ", "Entry at index ")), detail
    if item.get("national_student_id"):
        assert item["national_student_id"] in detail


def test_a_row_without_identifier_says_so_and_names_the_pupil() -> None:
    [item] = [i for i in csv_items() if i["line"] == 4 and i["code"] == "MISSING_NATIONAL_STUDENT_ID"]

    assert roster_detail(item, "fr") == (
        "Ligne 4 : l'élève Jeanne (sans identifiant) n'a pas d'identifiant unique "
        "(colonne « Identifiant unique* »)."
    )
    assert roster_detail(item, "en") == (
        "Line 4: the pupil Jeanne (no identifier) has no unique identifier (column “Identifiant unique*”)."
    )


def test_json_items_name_the_field_and_the_iso_date_format() -> None:
    [entry, field] = json_items()

    assert roster_detail(entry, "fr") == (
        "Élève d'index 1 : cette entrée de la liste « students » n'est pas un objet JSON."
    )
    assert roster_detail(field, "en") == (
        "Entry at index 2: the value of field “first_name” of the pupil BARET (identifier AGRI0002) must "
        "be a text."
    )
