"""The roster rules alone (``domain/students/roster.py``): headers, columns, and what makes a row a
pupil, in milliseconds."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from domain.students.roster import (
    CSV,
    CSV_COLUMNS,
    JSON,
    ROSTER_FIELDS,
    Roster,
    check_roster,
    clean,
    map_columns,
    missing_columns,
    normalise_header,
    parse_roster_birthdate,
    unknown_columns,
)

TODAY = date(2025, 9, 10)
LAYOUT = [header for header, _ in CSV_COLUMNS]


def values(**fields: Any) -> tuple[object, ...]:
    row: dict[str, Any] = {
        "national_student_id": "123456789AB",
        "first_name": "Jeanne",
        "middle_name": "",
        "third_name": "",
        "last_name": "BARET",
        "preferred_last_name": "",
        "birthdate": "27/07/2009",
        "division": "2NDE-AGRI",
    } | fields
    return tuple(row[name] for name in ROSTER_FIELDS)


def csv_roster(*rows: tuple[int, tuple[object, ...]]) -> Roster:
    return Roster(format=CSV, rows=list(rows))


def json_roster(*entries: tuple[object, ...] | None) -> Roster:
    return Roster(format=JSON, rows=list(enumerate(entries)))


def codes(report: Any) -> list[tuple[str, int | None, str | None]]:
    return [(issue.code, issue.line, issue.field) for issue in report.errors]


class TestHeaders:
    @pytest.mark.parametrize(
        "typed",
        [
            "Nom d’usage",
            "Nom d'usage",
            "NOM D'USAGE",
            "  nom   d’usage * ",
            "Nom d‘usage",
            "\ufeffNom d'usage",
        ],
    )
    def test_case_accents_spaces_star_and_both_apostrophes_do_not_matter(self, typed: str) -> None:
        assert normalise_header(typed) == "nom d'usage"

    def test_accents_are_dropped(self) -> None:
        assert normalise_header("Libellé commune naissance") == normalise_header("LIBELLE COMMUNE NAISSANCE")
        assert normalise_header("Troisième prénom") == "troisieme prenom"

    def test_the_layout_in_another_order_with_unknown_and_blank_columns(self) -> None:
        header = ["Division*", "E-mail", "Nom de famille", "", "premier prénom", "IDENTIFIANT UNIQUE *"]
        header += ["Date de naissance (jj/mm/aaaa)", "Code MEF", "  "]

        columns = map_columns(header)

        assert columns.missing == []
        assert dict(zip(ROSTER_FIELDS, columns.indexes, strict=True)) == {
            "national_student_id": 5,
            "first_name": 4,
            "middle_name": None,
            "third_name": None,
            "last_name": 2,
            "preferred_last_name": None,
            "birthdate": 6,
            "division": 0,
        }
        assert columns.unknown == [(2, "E-mail")]
        [warning] = unknown_columns(columns)
        assert (warning.code, warning.line, warning.meta) == (
            "UNKNOWN_COLUMN",
            1,
            {"column": "E-mail", "position": 2},
        )

    def test_every_column_of_the_layout_is_known(self) -> None:
        columns = map_columns(LAYOUT)

        assert columns.missing == [] and columns.unknown == []
        assert None not in columns.indexes

    def test_a_missing_required_column_is_named_as_the_layout_writes_it(self) -> None:
        columns = map_columns(["Identifiant unique", "Nom de famille", "Division"])

        assert columns.missing == ["Premier prénom*", "Date de naissance (jj/mm/aaaa)*"]
        assert [(i.code, i.line, i.meta) for i in missing_columns(columns)] == [
            ("MISSING_COLUMN", 1, {"column": "Premier prénom*"}),
            ("MISSING_COLUMN", 1, {"column": "Date de naissance (jj/mm/aaaa)*"}),
        ]

    def test_a_column_given_twice_is_read_from_its_first_place(self) -> None:
        columns = map_columns([*LAYOUT, "Division"])

        assert columns.indexes[ROSTER_FIELDS.index("division")] == LAYOUT.index("Division*")


class TestCells:
    @pytest.mark.parametrize(
        ("cell", "stored"),
        [
            ("  BARET ", "BARET"),
            ("", None),
            ("   ", None),
            ('="012345678AB"', "012345678AB"),  # a spreadsheet told to keep the leading zero
            ('=" "', None),
            ("=1+1", "=1+1"),  # a formula-looking text is text: stored as written, never evaluated
            ("+33", "+33"),
            ("@SUM(A1)", "@SUM(A1)"),
        ],
    )
    def test_a_cell_is_stripped_and_a_kept_text_unwrapped(self, cell: str, stored: str | None) -> None:
        assert clean(cell) == stored

    @pytest.mark.parametrize(
        ("text", "by_line", "expected"),
        [
            ("27/07/2009", True, date(2009, 7, 27)),
            ("7/7/2009", True, date(2009, 7, 7)),  # a spreadsheet drops the leading zeros
            ("2009-07-27", True, date(2009, 7, 27)),
            ("2009-07-27", False, date(2009, 7, 27)),
            ("27/07/2009", False, None),  # JSON dates are ISO
            ("31/02/2009", True, None),
            ("27/07/09", True, None),
            ("2009/07/27", True, None),
            ("11/09/2025", True, None),  # tomorrow
            ("20090727", False, None),
            ("2009-W30-1", False, None),
            ("2009-02-29", False, None),  # what C's ISO parser is given, it checks as ``date`` does
            ("0000-01-01", False, None),
            ("2009-07-27T00:00", False, None),
            ("２００９-07-27", False, None),  # digits, but not ASCII ones
        ],
    )
    def test_birthdates(self, text: str, by_line: bool, expected: date | None) -> None:
        assert parse_roster_birthdate(text, by_line, TODAY) == expected


class TestRows:
    def test_a_valid_row_gives_its_record_with_only_what_we_use(self) -> None:
        report = check_roster(
            csv_roster((2, values(middle_name=" Marie ", preferred_last_name="COMMERSON"))), TODAY
        )

        assert report.errors == [] and report.warnings == []
        [record] = report.records
        assert (record.line, record.json_index, record.national_student_id) == (2, None, "123456789AB")
        assert (record.last_name, record.first_name, record.middle_name) == ("BARET", "Jeanne", "Marie")
        assert record.preferred_last_name == "COMMERSON" and record.third_name is None
        assert record.birthdate == date(2009, 7, 27) and record.division == "2NDE-AGRI"
        assert record.birth_city_code is None and record.mef_code is None and record.status is None

    def test_the_identifier_is_compared_and_stored_upper_case(self) -> None:
        report = check_roster(
            csv_roster(
                (2, values(national_student_id="agri0001")), (3, values(national_student_id="AGRI0001 "))
            ),
            TODAY,
        )

        assert report.records[0].national_student_id == "AGRI0001"
        assert [(i.code, i.line, i.national_student_id, i.meta) for i in report.errors] == [
            ("DUPLICATE_NATIONAL_STUDENT_ID", 3, "AGRI0001", {"first_line": 2})
        ]

    def test_every_error_of_every_row_is_found_in_one_pass_with_its_line(self) -> None:
        report = check_roster(
            csv_roster(
                (2, values(national_student_id="")),
                (3, values(first_name="", last_name="  ")),
                (5, values(birthdate="")),
                (6, values(birthdate="31/02/2009", national_student_id="X1")),
                (7, values(division="", national_student_id="X2")),
                (8, values(national_student_id="X" * 21, last_name="L" * 256, division="D" * 65)),
            ),
            TODAY,
        )

        assert codes(report) == [
            ("MISSING_NATIONAL_STUDENT_ID", 2, "national_student_id"),
            ("MISSING_FIRST_NAME", 3, "first_name"),
            ("MISSING_LAST_NAME", 3, "last_name"),
            ("DUPLICATE_NATIONAL_STUDENT_ID", 5, "national_student_id"),
            ("MISSING_BIRTHDATE", 5, "birthdate"),
            ("INVALID_BIRTHDATE", 6, "birthdate"),
            ("MISSING_DIVISION", 7, "division"),
            ("VALUE_TOO_LONG", 8, "national_student_id"),
            ("VALUE_TOO_LONG", 8, "last_name"),
            ("VALUE_TOO_LONG", 8, "division"),
        ]
        assert report.errors[3].meta == {"first_line": 3}
        assert report.errors[5].meta == {"value": "31/02/2009"}
        assert report.errors[5].national_student_id == "X1"
        assert report.errors[7].meta == {"limit": 20, "length": 21}
        assert report.records == []

    def test_an_error_names_the_pupil_as_far_as_the_row_does(self) -> None:
        report = check_roster(csv_roster((4, values(national_student_id="", first_name=""))), TODAY)

        first, second = report.errors
        assert (first.national_student_id, first.last_name, first.first_name) == (None, "BARET", None)
        assert second.code == "MISSING_FIRST_NAME"

    def test_json_entries_are_placed_by_index_and_checked_for_types(self) -> None:
        report = check_roster(
            json_roster(
                values(birthdate="2009-07-27"),
                None,  # not an object
                values(birthdate="2009-07-27", national_student_id="B2", last_name=42, division=None),
                values(birthdate="27/07/2009", national_student_id="B3"),
                values(birthdate="2009-07-27", national_student_id=["B4"]),
                values(birthdate="2009-07-27"),
            ),
            TODAY,
        )

        assert [(i.code, i.line, i.field, i.meta) for i in report.errors] == [
            ("INVALID_FIELD", None, None, {"index": 1, "expected": "object"}),
            ("INVALID_FIELD", None, "last_name", {"index": 2, "expected": "string"}),
            ("MISSING_DIVISION", None, "division", {"index": 2}),
            ("INVALID_BIRTHDATE", None, "birthdate", {"index": 3, "value": "27/07/2009"}),
            ("INVALID_FIELD", None, "national_student_id", {"index": 4, "expected": "string"}),
            ("DUPLICATE_NATIONAL_STUDENT_ID", None, "national_student_id", {"index": 5, "first_index": 0}),
        ]
        assert [(r.line, r.json_index) for r in report.records] == [(None, 0)]

    def test_a_json_birthdate_of_another_type_is_invalid_not_missing(self) -> None:
        report = check_roster(json_roster(values(birthdate=20090727)), TODAY)

        assert [(i.code, i.field) for i in report.errors] == [("INVALID_FIELD", "birthdate")]

    def test_nothing_is_skipped_and_an_empty_roster_is_no_students(self) -> None:
        report = check_roster(csv_roster(), TODAY)

        assert [(i.code, i.meta) for i in report.errors] == [
            ("NO_STUDENTS", {"skipped_total": 0, "reasons": {}})
        ]
        assert report.skipped == []

    def test_names_that_look_double_encoded_are_warned_about(self) -> None:
        report = check_roster(csv_roster((2, values(last_name="MÃœLLER"))), TODAY)

        assert len(report.records) == 1
        assert [(w.code, w.line, w.meta["fields"]) for w in report.warnings] == [
            ("DOUBLE_ENCODED_NAME", 2, ["last_name"])
        ]

    @pytest.mark.parametrize("field", ["middle_name", "third_name", "preferred_last_name"])
    def test_a_double_encoded_other_name_is_warned_about_too(self, field: str) -> None:
        report = check_roster(csv_roster((2, values(**{field: "AndrÃ©"}))), TODAY)

        assert [(w.code, w.meta["fields"]) for w in report.warnings] == [("DOUBLE_ENCODED_NAME", [field])]

    def test_accented_other_names_are_no_warning(self) -> None:
        row = values(middle_name="Zoé", third_name="Maëlys", preferred_last_name="Cœurvaillant")

        assert check_roster(csv_roster((2, row)), TODAY).warnings == []

    def test_the_header_warnings_come_first(self) -> None:
        columns = map_columns([*LAYOUT, "Remarques"])
        roster = Roster(format=CSV, rows=[(2, values())], warnings=unknown_columns(columns))

        assert [w.code for w in check_roster(roster, TODAY).warnings] == ["UNKNOWN_COLUMN"]

    def test_twenty_thousand_rows_are_checked_in_well_under_a_second(self) -> None:
        rows = [(line, values(national_student_id=f"AGRI{line:08d}")) for line in range(2, 20_002)]
        # This thread's CPU time: a quadratic check shows in it; a busy machine, and the test
        # servers' threads of this process, do not.
        started = time.thread_time()

        report = check_roster(csv_roster(*rows), TODAY)

        assert len(report.records) == 20_000
        assert time.thread_time() - started < 1.0
