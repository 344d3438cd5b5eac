"""Property: what the generator writes, the reader reads back field for field, and the check keeps,
skips and records exactly the students the generator meant."""

from __future__ import annotations

import io
import operator
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.students.siecle import check_siecle_file
from infrastructure.siecle.reader import read_siecle_upload
from tests.support.siecle_generator import (
    GeneratedSiecle,
    GeneratedStudent,
    Kind,
    write_siecle,
    zip_bytes,
)

UAI = "0751234A"
TODAY = date(2025, 9, 10)
MB = 1_000_000

# Anything SIECLE could write in a field: ISO-8859-15 text (XML-escaped by the generator), no
# control characters but tabs and new lines, leading and trailing blanks included.
text = st.text(
    st.characters(codec="iso-8859-15", exclude_categories=("Cc", "Cs"), include_characters="\t\n"),
    max_size=12,
)
optional_text = st.none() | text
non_blank = text.filter(lambda value: value.strip() != "")
structure_code = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -éÈ"), min_size=1, max_size=8)
group = st.tuples(structure_code, st.sampled_from(["G", "E", " G "]))
groups = st.lists(group, max_size=2)
division = structure_code.filter(lambda code: code.strip() != "" and code.strip().casefold() != "inactifs")
divisions = st.lists(st.tuples(division, st.sampled_from(["D", " D"])), min_size=1, max_size=3)


KINDS: list[Kind] = ["kept", "left", "no_ine", "inactive", "groups_only", "no_structure"]
STRUCTURES_BY_KIND: dict[Kind, st.SearchStrategy[list[tuple[str, str]]]] = {
    "kept": st.builds(operator.add, divisions, groups),
    "left": divisions,
    "no_ine": divisions,
    "inactive": groups.map(lambda extra: [("Inactifs", "D"), *extra]),
    "groups_only": st.lists(group, min_size=1, max_size=2),
    "no_structure": st.just([]),
}


def birthdates_text() -> st.SearchStrategy[str]:
    return st.dates(min_value=date(1990, 1, 1), max_value=TODAY).map(
        lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    )


@st.composite
def students(draw: st.DrawFn, index: int) -> GeneratedStudent:
    kind: Kind = draw(st.sampled_from(KINDS))
    ine = f"{index:09d}{draw(st.sampled_from(['AB', 'ab', 'Zz']))}"
    structures = draw(STRUCTURES_BY_KIND[kind])
    return GeneratedStudent(
        eleve_id=str(index + 1),
        kind=kind,
        national_student_id=draw(st.none() | st.just("  ")) if kind == "no_ine" else ine,
        last_name=draw(non_blank),
        preferred_last_name=draw(optional_text),
        first_name=draw(non_blank),
        middle_name=draw(optional_text),
        third_name=draw(optional_text),
        birthdate_text=draw(birthdates_text()),
        birth_country_code=draw(st.sampled_from([None, "100", "132"])),
        birth_department_code=draw(optional_text),
        birth_city_code=draw(optional_text),
        birth_city=draw(optional_text),
        mef_code=draw(optional_text),
        status=draw(st.sampled_from([None, "ST", "AP"])),
        left_at_text=draw(non_blank) if kind == "left" else None,
        structures=tuple(structures),
        previous_school=draw(st.none() | st.just(("99999999999", "AUTRE"))),
    )


@st.composite
def exports(draw: st.DrawFn) -> tuple[GeneratedSiecle, bytes]:
    count = draw(st.integers(min_value=0, max_value=6))
    generated_students = [draw(students(index)) for index in range(count)]
    encoding = draw(st.sampled_from(["ISO-8859-15", "UTF-8"]))
    bom = encoding == "UTF-8" and draw(st.booleans())
    generated = write_siecle(generated_students, uai=UAI, encoding=encoding, bom=bom)
    data = zip_bytes(generated.xml) if draw(st.booleans()) else generated.xml
    return generated, data


def read(data: bytes) -> Any:
    return read_siecle_upload(io.BytesIO(data), max_upload_bytes=20 * MB, max_xml_bytes=200 * MB)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_the_reader_reads_back_what_was_written_field_for_field(
    export: tuple[GeneratedSiecle, bytes],
) -> None:
    generated, data = export

    siecle_file = read(data)

    assert siecle_file.uai == UAI
    assert siecle_file.entries == generated.entries


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_the_check_keeps_and_skips_the_students_the_generator_meant(
    export: tuple[GeneratedSiecle, bytes],
) -> None:
    generated, data = export

    report = check_siecle_file(read(data), UAI, TODAY)

    kept = generated.expected_records()
    assert report.records == kept
    assert [(s.line, s.reason) for s in report.skipped] == generated.skip_reasons()
    assert [e.code for e in report.errors] == ([] if kept else ["NO_STUDENTS"])
