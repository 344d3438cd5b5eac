"""The CSV and JSON readers against files in every shape spreadsheets and integrators produce, and
broken ones: what is read, what is refused, and with which line."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.students.errors import InvalidStudentFile, TooManyStudents, UnsupportedFileType
from domain.students.roster import CSV, JSON, Roster, check_roster
from domain.students.siecle import SiecleFile
from infrastructure.rosters.student_upload import read_student_upload
from tests.support.roster_generator import (
    LAYOUT,
    CsvShape,
    Pupil,
    build_roster,
    expected_records,
    write_csv,
    write_json,
)
from tests.support.roster_samples import SAMPLES as ROSTER_SAMPLES
from tests.support.siecle_generator import generate_siecle

TODAY = date(2025, 9, 10)
EXAMPLES_DIRECTORY = Path(__file__).resolve().parents[2] / "examples"
CAP = 20_000_000


def read(data: bytes, max_students: int | None = 20_000) -> Any:
    return read_student_upload(
        io.BytesIO(data), max_upload_bytes=CAP, max_xml_bytes=CAP, max_students=max_students
    )


def read_roster(data: bytes) -> Roster:
    roster = read(data)
    assert isinstance(roster, Roster)
    return roster


def refusal(data: bytes) -> InvalidStudentFile:
    with pytest.raises(InvalidStudentFile) as caught:
        check = read(data)
        if isinstance(check, Roster):  # a problem of the rows, found by the checks
            report = check_roster(check, TODAY)
            raise InvalidStudentFile(report.errors)
    return caught.value


def items(error: InvalidStudentFile) -> list[tuple[str, int | None, str | None]]:
    return [(item["code"], item["line"], item["national_student_id"]) for item in error.errors or []]


PUPILS = build_roster(40, seed=3, encodable="iso-8859-15")

SHAPES = {
    "Excel, CSV UTF-8": CsvShape(),
    "Excel, CSV (;) Windows-1252": CsvShape(encoding="cp1252"),
    "LibreOffice, ISO-8859-15, LF": CsvShape(encoding="iso-8859-15", line_end="\n"),
    "UTF-8 without BOM, commas": CsvShape(encoding="utf-8", delimiter=","),
    "every field quoted": CsvShape(quote_all=True),
    "headers re-typed": CsvShape(retyped_headers=True),
    "columns in another order, some left out": CsvShape(
        columns=list(reversed([h for h in LAYOUT if h not in {"Code sexe", "Statut", "Troisième prénom"}]))
    ),
    "only the required columns": CsvShape(
        columns=[
            "Nom de famille*",
            "Premier prénom*",
            "Identifiant unique*",
            "Division*",
            "Date de naissance (jj/mm/aaaa)*",
        ]
    ),
    "blank trailing rows and columns": CsvShape(blank_trailing_rows=3, blank_trailing_columns=4),
    "dates without leading zeros": CsvShape(date_format="%-d/%-m/%Y"),
    "unknown columns": CsvShape(extra_columns=["E-mail", "Régime"]),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_every_shape_a_spreadsheet_saves_reads_the_same(shape: CsvShape) -> None:
    pupils = PUPILS
    if shape.columns and "Deuxième prénom" not in shape.columns:
        pupils = [replace(p, middle_name=None, third_name=None, preferred_last_name=None) for p in pupils]
    elif shape.columns and "Troisième prénom" not in shape.columns:
        pupils = [replace(p, third_name=None) for p in pupils]

    roster = read_roster(write_csv(pupils, shape))
    report = check_roster(roster, TODAY)

    assert roster.format == CSV
    assert report.errors == []
    assert report.records == expected_records(pupils)
    assert [w.meta["column"] for w in report.warnings] == list(shape.extra_columns)


def test_quoted_fields_hold_separators_quotes_and_line_breaks() -> None:
    pupils = [
        Pupil("AGRI1", "Jean; Paul", 'DIT "LE BRAVE"', date(2009, 1, 2), "1STAV1"),
        Pupil(
            "AGRI2", "Anne,\nMarie", "D'ALEMBERT", date(2009, 3, 4), "1STAV1", preferred_last_name="L’HERMITE"
        ),
        Pupil("AGRI3", "Zoé", "N'DIAYE", date(2009, 5, 6), "1STAV1"),
    ]

    for delimiter in ";,":
        roster = read_roster(write_csv(pupils, CsvShape(delimiter=delimiter)))
        records = check_roster(roster, TODAY).records

        assert [(r.line, r.first_name, r.last_name) for r in records] == [
            (2, "Jean; Paul", 'DIT "LE BRAVE"'),
            (3, "Anne,\nMarie", "D'ALEMBERT"),
            (5, "Zoé", "N'DIAYE"),  # the line break in the row above moved it one line down
        ]
        assert records == expected_records(pupils)


def test_cells_that_look_like_formulas_are_text() -> None:
    text = (
        "\ufeffIdentifiant unique*;Premier prénom*;Nom de famille*;"
        "Date de naissance (jj/mm/aaaa)*;Division*\r\n"
        '="012345678AB";=1+1;@SOMME(A1);01/02/2009;="2NDE"\r\n'
        '+33612345678;-Zoé;=HYPERLINK("x");02/02/2009;1STAV1\r\n'
    ).encode()

    records = check_roster(read_roster(text), TODAY).records

    assert [(r.national_student_id, r.first_name, r.last_name, r.division) for r in records] == [
        ("012345678AB", "=1+1", "@SOMME(A1)", "2NDE"),
        ("+33612345678", "-Zoé", '=HYPERLINK("x")', "1STAV1"),
    ]


def test_windows_1252_and_iso_8859_15_letters_are_told_apart() -> None:
    pupil = Pupil("AGRI1", "Œdipe", "CŒURDEROI", date(2009, 1, 2), "1STAV1")
    for encoding in ("cp1252", "iso-8859-15"):
        [record] = check_roster(read_roster(write_csv([pupil], CsvShape(encoding=encoding))), TODAY).records  # type: ignore[arg-type]
        assert (record.first_name, record.last_name) == ("Œdipe", "CŒURDEROI"), encoding


def test_json_roster_reads_with_indexes_and_ignores_unknown_keys() -> None:
    document = json.loads(write_json(PUPILS))
    document["students"][0]["email"] = "never@stored.fr"
    document["source"] = "ENT"

    roster = read_roster(json.dumps(document, indent=2).encode("utf-8-sig"))
    report = check_roster(roster, TODAY)

    assert roster.format == JSON
    assert report.errors == []
    assert report.records == expected_records(PUPILS, json_roster=True)


def test_siecle_is_still_read_as_siecle() -> None:
    assert isinstance(read(generate_siecle(3, seed=1)), SiecleFile)


# --- Broken files -------------------------------------------------------------------------------


def test_a_missing_required_column_is_refused_before_any_row() -> None:
    data = write_csv(
        PUPILS, CsvShape(columns=[h for h in LAYOUT if h not in {"Division*", "Premier prénom*"}])
    )

    error = refusal(data)

    assert error.file_format == CSV
    assert [(i["code"], i["line"], i["meta"]) for i in error.errors or []] == [
        ("MISSING_COLUMN", 1, {"column": "Premier prénom*"}),
        ("MISSING_COLUMN", 1, {"column": "Division*"}),
    ]


def test_rows_in_error_are_named_by_line_and_identifier() -> None:
    pupils = [
        PUPILS[0],
        replace(PUPILS[1], national_student_id=PUPILS[0].national_student_id),
        replace(PUPILS[2], first_name=" "),
    ]
    data = write_csv(pupils).replace(b"\r\n", b"\r\n", 1)
    bad_date = data.decode("utf-8-sig").splitlines()
    bad_date[3] = bad_date[3].replace(pupils[2].birthdate.strftime("%d/%m/%Y"), "31/02/2009")

    error = refusal(("\r\n".join(bad_date) + "\r\n").encode())

    assert items(error) == [
        ("DUPLICATE_NATIONAL_STUDENT_ID", 3, PUPILS[0].national_student_id),
        ("MISSING_FIRST_NAME", 4, PUPILS[2].national_student_id),
        ("INVALID_BIRTHDATE", 4, PUPILS[2].national_student_id),
    ]


def test_undecodable_bytes_are_refused_with_their_line() -> None:
    data = write_csv(PUPILS[:3], CsvShape(encoding="cp1252")).replace(b"\r\n", b"\r\nAGRI\x81;", 2)

    error = refusal(data)

    assert [(i["code"], i["line"]) for i in error.errors or []] == [("INVALID_ENCODING", 2)]


def test_a_bom_followed_by_other_bytes_than_utf8_is_refused() -> None:
    data = b"\xef\xbb\xbf" + write_csv(PUPILS[:3], CsvShape(encoding="cp1252"))

    assert refusal(data).errors[0]["code"] == "INVALID_ENCODING"  # type: ignore[index]


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary\xff" * 100,
        b"%PDF-1.7\n...",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,  # an old .xls
        "Identifiant unique;Nom\r\n".encode("utf-16"),  # Excel's "Unicode text"
        b"",
        b"  \r\n\r\n",
    ],
    ids=["random bytes", "pdf", "xls", "utf-16", "empty", "blank"],
)
def test_a_binary_or_empty_file_named_csv_is_an_unsupported_type(content: bytes) -> None:
    with pytest.raises(UnsupportedFileType):
        read(content)


@pytest.mark.parametrize("marker", ["[Content_Types].xml", "mimetype"], ids=["xlsx", "ods"])
def test_a_workbook_is_an_unsupported_type_not_a_broken_zip(marker: str) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(marker, "x")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")

    with pytest.raises(UnsupportedFileType):
        read(out.getvalue())


def test_an_unclosed_quote_is_a_malformed_csv_with_its_line() -> None:
    data = write_csv(PUPILS[:3]) + b'AGRI9;"Jean;X;;DUPONT\r\n'

    assert [(i["code"], i["line"]) for i in refusal(data).errors or []] == [("MALFORMED_CSV", 5)]


def test_a_line_or_a_header_too_long_is_refused_without_building_it() -> None:
    header = write_csv([]).rstrip(b"\r\n")
    too_wide = header + b";" * 300 + b"\r\n"
    too_long = write_csv(PUPILS[:2]) + b"AGRI9;" + b"x" * 70_000 + b"\r\n"

    assert [(i["code"], i["line"]) for i in refusal(too_wide).errors or []] == [("MALFORMED_CSV", 1)]
    assert [(i["code"], i["line"]) for i in refusal(too_long).errors or []] == [("MALFORMED_CSV", 4)]


def test_rows_past_the_cap_are_refused_as_read() -> None:
    with pytest.raises(TooManyStudents):
        read(write_csv(PUPILS[:6]), max_students=5)
    with pytest.raises(TooManyStudents):
        read(write_json(PUPILS[:6]), max_students=5)
    assert len(read_roster(write_csv(PUPILS[:5], CsvShape(blank_trailing_rows=10))).rows) == 5


@pytest.mark.parametrize(
    ("content", "code", "meta"),
    [
        (b'{"students": [{"national_student_id": "A",}]}', "MALFORMED_JSON", {"line": 1, "column": 43}),
        (b'{"students": {"a": 1}}', "INVALID_FIELD", {"field": "students", "expected": "list"}),
        (b'{"pupils": []}', "INVALID_FIELD", {"field": "students", "expected": "list"}),
        (b'{"students": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "MALFORMED_JSON", {}),
        (b'{"students": [' + b"0," * 2_000_000 + b"0]}", "MALFORMED_JSON", {}),
        (b'{"students": [' + b"1" * 5000 + b"]}", "MALFORMED_JSON", {}),
        (b'{"students": ["\xff"]}', "INVALID_ENCODING", {}),
    ],
    ids=[
        "trailing comma",
        "not a list",
        "no students",
        "deep nesting",
        "a million values",
        "huge number",
        "not utf-8",
    ],
)
def test_broken_json_is_refused_with_one_item(content: bytes, code: str, meta: dict[str, Any]) -> None:
    error = refusal(content)

    assert error.file_format == JSON
    [item] = error.errors or []
    assert item["code"] == code
    assert meta.items() <= {**item["meta"], "line": item["line"]}.items()


def test_json_entries_of_the_wrong_type_are_named_by_index() -> None:
    document = json.loads(write_json(PUPILS[:3]))
    document["students"][1]["last_name"] = 42
    document["students"].append("AGRI9")

    error = refusal(json.dumps(document).encode())

    assert [(i["code"], i["field"], i["meta"]) for i in error.errors or []] == [
        ("INVALID_FIELD", "last_name", {"index": 1, "expected": "string"}),
        ("INVALID_FIELD", None, {"index": 3, "expected": "object"}),
    ]
    assert error.errors[0]["national_student_id"] == PUPILS[1].national_student_id.upper()  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(ROSTER_SAMPLES))
def test_the_examples_are_what_the_generator_writes(name: str) -> None:
    """``python -m tests.support.roster_samples examples/`` after a change to the samples."""
    assert (EXAMPLES_DIRECTORY / name).read_bytes() == ROSTER_SAMPLES[name]()
