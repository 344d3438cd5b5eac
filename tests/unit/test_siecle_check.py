"""The SIECLE import rules (docs/rules.md, "SIECLE import"), on entries built by hand."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, Invalid
from domain.students.errors import FileTooLarge, InvalidSiecleFile, UnsupportedFileType, issues_as_dicts
from domain.students.siecle import (
    MAX_REPORT_ITEMS,
    SiecleEntry,
    SiecleFile,
    SiecleIssue,
    SiecleReport,
    check_siecle_file,
    looks_double_encoded,
    parse_birthdate,
)

UAI = "0751234A"
TODAY = date(2025, 9, 10)


def entry(line: int = 6, **fields: Any) -> SiecleEntry:
    values: dict[str, Any] = {
        "national_student_id": f"12345678{line:03d}",
        "last_name": "MARTIN",
        "first_name": "Paul",
        "birthdate_text": "01/02/2008",
        "birth_country_code": "100",
        "birth_department_code": "075",
        "birth_city_code": "75115",
        "mef_code": "20010018110",
        "status": "ST",
        "divisions": ("2NDE1",),
    }
    values.update(fields)
    return SiecleEntry(line=line, **values)


def check(*entries: SiecleEntry, uai: str | None = UAI) -> SiecleReport:
    return check_siecle_file(SiecleFile(uai=uai, entries=list(entries)), UAI, TODAY)


def codes(report: SiecleReport) -> list[tuple[str, int | None]]:
    return [(issue.code, issue.line) for issue in report.errors]


class TestUai:
    @pytest.mark.parametrize("uai", [None, "", "0999999Z"])
    def test_a_missing_or_other_uai_refuses_the_file_with_a_single_item(self, uai: str | None) -> None:
        report = check(entry(6), entry(22, first_name=None), uai=uai)

        assert report.errors == [
            SiecleIssue(code="UAI_MISMATCH", meta={"file_uai": uai, "expected_uai": UAI})
        ]
        assert report.records == [] and report.skipped == [] and report.warnings == []

    @pytest.mark.parametrize("uai", ["0751234a", " 0751234A "])
    def test_the_uai_is_compared_without_case_or_spaces(self, uai: str) -> None:
        assert check(entry(6), uai=uai).errors == []


class TestSkipRules:
    def test_leavers_entries_without_ine_and_without_class_are_skipped_with_their_reason(self) -> None:
        report = check(
            entry(6),
            entry(22, left_at_text="15/06/2025"),
            entry(38, national_student_id=None, last_name="ARRIVANT", first_name="Inès"),
            entry(54, divisions=()),
        )

        assert [(s.line, s.reason) for s in report.skipped] == [
            (22, "LEFT_SCHOOL"),
            (38, "MISSING_NATIONAL_STUDENT_ID"),
            (54, "NO_DIVISION"),
        ]
        assert report.skipped[1].last_name == "ARRIVANT" and report.skipped[1].first_name == "Inès"
        assert [record.line for record in report.records] == [6]
        assert report.errors == []

    def test_the_first_rule_wins(self) -> None:
        report = check(
            entry(6),
            entry(22, left_at_text="15/06/2025", national_student_id=None, divisions=()),
            entry(38, national_student_id=None, divisions=()),
        )

        assert [s.reason for s in report.skipped] == ["LEFT_SCHOOL", "MISSING_NATIONAL_STUDENT_ID"]

    def test_skipped_entries_are_neither_validated_nor_checked_for_duplicates(self) -> None:
        report = check(
            entry(6, national_student_id="111111111AA"),
            entry(22, national_student_id="111111111AA", left_at_text="15/06/2025", first_name=None),
            entry(38, national_student_id="111111111AA", divisions=(), birthdate_text="2008-01-01"),
        )

        assert report.errors == []
        assert len(report.records) == 1

    def test_nothing_kept_is_no_students(self) -> None:
        report = check(entry(6, left_at_text="01/01/2025"))

        assert codes(report) == [("NO_STUDENTS", None)]
        assert report.errors[0].meta == {"skipped_total": 1, "reasons": {"LEFT_SCHOOL": 1}}
        assert codes(check()) == [("NO_STUDENTS", None)]

    def test_no_students_counts_the_reasons_actually_met_in_the_rules_order(self) -> None:
        report = check(
            entry(6, divisions=()),
            entry(22, national_student_id=None),
            entry(38, national_student_id=None, divisions=()),
        )

        assert codes(report) == [("NO_STUDENTS", None)]
        assert report.errors[0].meta == {
            "skipped_total": 3,
            "reasons": {"MISSING_NATIONAL_STUDENT_ID": 2, "NO_DIVISION": 1},
        }
        assert list(report.errors[0].meta["reasons"]) == ["MISSING_NATIONAL_STUDENT_ID", "NO_DIVISION"]


class TestErrors:
    def test_every_error_of_every_entry_is_collected_in_one_pass(self) -> None:
        report = check(
            entry(6, national_student_id="111111111AA"),
            entry(22, first_name=None, last_name=None, birthdate_text=None),
            entry(38, birthdate_text="31/02/2008"),
            entry(54, national_student_id="111111111aa", birthdate_text="2008-02-01"),
        )

        assert codes(report) == [
            ("MISSING_FIRST_NAME", 22),
            ("MISSING_LAST_NAME", 22),
            ("MISSING_BIRTHDATE", 22),
            ("INVALID_BIRTHDATE", 38),
            ("DUPLICATE_NATIONAL_STUDENT_ID", 54),
            ("INVALID_BIRTHDATE", 54),
        ]
        assert [record.line for record in report.records] == [6]

    def test_an_error_item_names_the_student_and_the_field(self) -> None:
        report = check(
            entry(38, national_student_id="222222222ab", first_name="Impossible", birthdate_text="31/02/2008")
        )

        assert report.errors == [
            SiecleIssue(
                code="INVALID_BIRTHDATE",
                line=38,
                national_student_id="222222222AB",
                field="birthdate",
                last_name="MARTIN",
                first_name="Impossible",
                meta={"value": "31/02/2008"},
            )
        ]

    def test_a_text_longer_than_the_service_stores_is_an_error_never_cut(self) -> None:
        at_the_limit = entry(6, national_student_id="A" * 20, last_name="L" * 255, divisions=("D" * 64,))
        report = check(
            at_the_limit,
            entry(
                22,
                national_student_id="B" * 21,
                first_name="P" * 256,
                middle_name="M" * 300,
                preferred_last_name="U" * 256,
                divisions=("C" * 65, "2NDE1"),
            ),
        )

        assert [(issue.code, issue.line, issue.field, issue.meta) for issue in report.errors] == [
            ("VALUE_TOO_LONG", 22, "national_student_id", {"limit": 20, "length": 21}),
            ("VALUE_TOO_LONG", 22, "first_name", {"limit": 255, "length": 256}),
            ("VALUE_TOO_LONG", 22, "middle_name", {"limit": 255, "length": 300}),
            ("VALUE_TOO_LONG", 22, "preferred_last_name", {"limit": 255, "length": 256}),
            ("VALUE_TOO_LONG", 22, "division", {"limit": 64, "length": 65}),
        ]
        assert [record.line for record in report.records] == [6]

    @pytest.mark.parametrize(
        ("field", "texts", "length"),
        [
            ("national_student_id", {"national_student_id": "B" * 21}, 21),
            ("division", {"divisions": ("C" * 65,)}, 65),
            ("third_name", {"third_name": "T" * 256}, 256),
            ("last_name", {"last_name": "L" * 256}, 256),
        ],
    )
    def test_one_text_alone_over_its_limit_is_found(self, field: str, texts: dict, length: int) -> None:
        report = check(entry(22, **texts))

        assert [(issue.code, issue.field, issue.meta["length"]) for issue in report.errors] == [
            ("VALUE_TOO_LONG", field, length)
        ]
        assert report.records == []

    def test_a_duplicate_is_reported_once_on_each_later_entry_with_the_first_line(self) -> None:
        report = check(
            entry(6, national_student_id="111111111AA"),
            entry(22, national_student_id="111111111AA"),
            entry(38, national_student_id="111111111AA"),
        )

        assert [(e.code, e.line, e.field, e.meta) for e in report.errors] == [
            ("DUPLICATE_NATIONAL_STUDENT_ID", 22, "national_student_id", {"first_line": 6}),
            ("DUPLICATE_NATIONAL_STUDENT_ID", 38, "national_student_id", {"first_line": 6}),
        ]


class TestBirthdate:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("01/02/2008", date(2008, 2, 1)),
            ("29/02/2008", date(2008, 2, 29)),
            ("10/09/2025", TODAY),
            ("29/02/2009", None),
            ("31/02/2008", None),
            ("00/01/2008", None),
            ("01/13/2008", None),
            ("11/09/2025", None),
            ("01/01/0000", None),
            ("2008-02-01", None),
            ("1/2/2008", None),
            ("01/02/08", None),
            ("01/02/20080", None),
            ("01-02-2008", None),
            ("０１/02/2008", None),
            ("01/02/2008 10:00", None),
        ],
    )
    def test_only_a_real_past_dd_mm_yyyy_date_is_a_birthdate(self, text: str, expected: date | None) -> None:
        assert parse_birthdate(text, TODAY) == expected

    @given(st.dates(max_value=TODAY))
    def test_every_past_date_written_dd_mm_yyyy_reads_back(self, birthdate: date) -> None:
        text = f"{birthdate.day:02d}/{birthdate.month:02d}/{birthdate.year:04d}"
        assert parse_birthdate(text, TODAY) == birthdate


class TestRecords:
    def test_a_kept_entry_becomes_a_record_with_its_first_class_and_an_upper_case_ine(self) -> None:
        kept = entry(
            6,
            national_student_id="123456789ae",
            last_name="DE LA FONTAINE",
            preferred_last_name="MARTIN",
            first_name="Jean-Éric",
            middle_name="Noël",
            third_name="Marie",
            birth_city="PARIS",
            status="AP",
            divisions=("2NDE2", "2NDE3"),
        )

        [record] = check(kept).records

        assert record.national_student_id == "123456789AE"
        assert record.division == "2NDE2"
        assert record.birthdate == date(2008, 2, 1)
        assert (record.last_name, record.preferred_last_name) == ("DE LA FONTAINE", "MARTIN")
        assert (record.first_name, record.middle_name, record.third_name) == ("Jean-Éric", "Noël", "Marie")
        assert (record.birth_country_code, record.birth_department_code) == ("100", "075")
        assert (record.birth_city_code, record.birth_city) == ("75115", "PARIS")
        assert (record.mef_code, record.status, record.line) == ("20010018110", "AP", 6)


class TestWarnings:
    def test_a_french_born_student_without_birth_city_code_is_a_warning(self) -> None:
        report = check(
            entry(6, birth_city_code=None), entry(22, birth_country_code="132", birth_city_code=None)
        )

        assert [(w.code, w.line) for w in report.warnings] == [("BIRTH_CITY_CODE_MISSING", 6)]
        assert len(report.records) == 2

    def test_several_classes_take_the_first_with_a_warning(self) -> None:
        report = check(entry(6, divisions=("1G1", "1G2")))

        [warning] = report.warnings
        assert warning.code == "SEVERAL_DIVISIONS"
        assert warning.meta["division"] == "1G1"
        assert warning.meta["divisions"] == ["1G1", "1G2"]
        assert report.records[0].division == "1G1"

    def test_double_encoded_names_give_one_warning_per_student(self) -> None:
        report = check(
            entry(6, last_name="MÃœLLER", first_name="Ã‰lodie", middle_name="NoÃ«l"),
            entry(22, last_name="MÜLLER", first_name="Élodie"),
        )

        [warning] = report.warnings
        assert (warning.code, warning.line) == ("DOUBLE_ENCODED_NAME", 6)
        assert warning.meta["fields"] == ["last_name", "first_name", "middle_name"]
        assert warning.meta["last_name"] == "MÃœLLER"
        assert len(report.records) == 2

    @pytest.mark.parametrize(
        "field", ["last_name", "preferred_last_name", "first_name", "middle_name", "third_name"]
    )
    def test_a_double_encoded_name_is_found_in_any_name_field_alone(self, field: str) -> None:
        report = check(entry(6, **{field: "NoÃ«l"}), entry(22, **{field: "Noël"}))

        assert [(w.code, w.line, w.meta["fields"]) for w in report.warnings] == [
            ("DOUBLE_ENCODED_NAME", 6, [field])
        ]

    def test_skipped_entries_give_no_warning(self) -> None:
        report = check(entry(6), entry(22, birth_city_code=None, last_name="Ã‰", left_at_text="01/01/2025"))

        assert report.warnings == []

    def test_warnings_do_not_stop_errors(self) -> None:
        report = check(entry(6, birth_city_code=None, first_name=None))

        assert [w.code for w in report.warnings] == ["BIRTH_CITY_CODE_MISSING"]
        assert codes(report) == [("MISSING_FIRST_NAME", 6)]


FRENCH_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ -'"
french_names = st.text(alphabet=FRENCH_LETTERS, min_size=1, max_size=30)


class TestDoubleEncoding:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Ã‰lodie", True),
            ("MÃ¼LLER", True),
            ("Å\x92dipe", True),  # "Œdipe" in UTF-8 read as ISO-8859-15
            ("Ã\x89ric", True),
            ("Élodie", False),
            ("CŒURDEROI", False),
            ("NGUYEN", False),
            ("Ã", False),
            ("ÉŒ", False),  # decodes, but to a letter SIECLE cannot write
            ("€", False),
        ],
    )
    def test_examples(self, text: str, expected: bool) -> None:
        assert looks_double_encoded(text) is expected

    @given(french_names)
    def test_a_genuine_french_name_never_looks_double_encoded(self, name: str) -> None:
        assert not looks_double_encoded(name)

    @given(french_names, st.sampled_from(["iso-8859-15", "latin-1"]))
    def test_a_french_name_with_accents_read_with_the_wrong_charset_looks_double_encoded(
        self, name: str, charset: str
    ) -> None:
        garbled = name.encode("utf-8").decode(charset)
        assert looks_double_encoded(garbled) is not name.isascii()


class TestErrorsOfTheImport:
    def test_invalid_siecle_file_carries_every_issue_as_an_item(self) -> None:
        issues = [
            SiecleIssue(
                code="MISSING_FIRST_NAME", line=6, national_student_id="1", field="first_name", last_name="A"
            ),
            SiecleIssue(code="DUPLICATE_NATIONAL_STUDENT_ID", line=22, meta={"first_line": 6}),
        ]

        error = InvalidSiecleFile(issues)

        assert isinstance(error, Invalid)
        assert error.code == "INVALID_SIECLE_FILE"
        assert error.errors == issues_as_dicts(issues)
        assert error.errors[0] == {
            "code": "MISSING_FIRST_NAME",
            "line": 6,
            "national_student_id": "1",
            "field": "first_name",
            "last_name": "A",
            "first_name": None,
            "meta": {},
        }
        assert error.issues == issues

    def test_file_level_errors(self) -> None:
        single = InvalidSiecleFile.single("MALFORMED_XML", line=36)
        too_large = FileTooLarge(20_000_000)

        assert single.errors is not None and single.errors[0]["code"] == "MALFORMED_XML"
        assert single.errors[0]["line"] == 36
        assert too_large.code == "FILE_TOO_LARGE" and too_large.meta == {"limit": 20_000_000, "limit_mb": 20}
        assert isinstance(UnsupportedFileType(), DomainError)
        assert UnsupportedFileType.code == "UNSUPPORTED_FILE_TYPE"

    def test_the_problem_lists_the_first_errors_and_counts_them_all(self) -> None:
        issues = [SiecleIssue(code="MISSING_FIRST_NAME", line=line) for line in range(MAX_REPORT_ITEMS + 5)]

        error = InvalidSiecleFile(issues)

        assert error.errors is not None and len(error.errors) == MAX_REPORT_ITEMS
        assert error.errors[-1]["line"] == MAX_REPORT_ITEMS - 1
        assert error.meta == {"errors_total": MAX_REPORT_ITEMS + 5}
        assert error.issues == issues

    def test_an_issue_is_immutable(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            SiecleIssue(code="X").code = "Y"  # type: ignore[misc]
