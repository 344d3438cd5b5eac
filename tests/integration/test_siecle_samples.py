"""The sample exports of ``shared/data/siecle`` give the outcome their README states."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.students.errors import InvalidSiecleFile
from domain.students.siecle import SiecleReport, check_siecle_file
from infrastructure.siecle.reader import read_siecle_upload

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT_ROOT.parent / "shared" / "data" / "siecle"
UAI = "0751234A"
TODAY = date(2025, 9, 10)
MB = 1_000_000

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no sample exports in {SAMPLES}")


def read_and_check(name: str) -> SiecleReport:
    with (SAMPLES / name).open("rb") as upload:
        siecle_file = read_siecle_upload(upload, max_upload_bytes=20 * MB, max_xml_bytes=200 * MB)
    return check_siecle_file(siecle_file, UAI, TODAY)


@pytest.mark.parametrize("name", ["lycee-pix.xml", "lycee-pix.zip"])
def test_lycee_pix_keeps_eleven_students_and_skips_four(name: str) -> None:
    report = read_and_check(name)

    assert report.errors == []
    assert report.warnings == []
    assert len(report.records) == 11
    assert [(s.last_name, s.reason) for s in report.skipped] == [
        ("PARTI", "LEFT_SCHOOL"),
        ("ARRIVANT", "MISSING_NATIONAL_STUDENT_ID"),
        ("INACTIF", "NO_DIVISION"),
        ("SANSCLASSE", "NO_DIVISION"),
    ]
    assert [s.line for s in report.skipped] == [166, 183, 198, 214]
    assert report.skipped[1].national_student_id is None
    assert report.skipped[0].national_student_id == "123456789AL"


def test_lycee_pix_reads_every_field_with_its_accents() -> None:
    records = {record.last_name: record for record in read_and_check("lycee-pix.xml").records}

    assert set(records) == {
        "ABBA", "ABIL", "ADORE", "TURING", "DE LA FONTAINE", "D'ALEMBERT", "CŒURDEROI", "NGUYEN",
        "DUPONT", "MÜLLER",
    }  # fmt: skip
    fontaine = records["DE LA FONTAINE"]
    assert (fontaine.first_name, fontaine.middle_name, fontaine.third_name) == ("Jean-Éric", "Noël", None)
    assert (fontaine.birthdate, fontaine.division, fontaine.line) == (date(2009, 11, 5), "2NDE2", 70)
    alembert = records["D'ALEMBERT"]
    assert (alembert.first_name, alembert.preferred_last_name) == ("Zoé", "MARTIN")
    coeur = records["CŒURDEROI"]
    assert (coeur.first_name, coeur.birth_country_code, coeur.birth_city) == ("Maëlys", "132", "LONDRES")
    assert (coeur.birth_department_code, coeur.birth_city_code) == (None, None)
    muller = records["MÜLLER"]
    assert (muller.first_name, muller.status, muller.division) == ("Œdipe", "AP", "BTS1")
    turing = records["TURING"]
    assert (turing.national_student_id, turing.middle_name, turing.mef_code) == (
        "123456789AD",
        "Mathison",
        "20010018110",
    )
    abil = records["ABIL"]
    assert (abil.division, abil.birth_city_code, abil.birth_department_code) == ("2NDE1", "75115", "075")


def test_the_twins_are_two_students() -> None:
    dupont = [r for r in read_and_check("lycee-pix.xml").records if r.last_name == "DUPONT"]

    assert sorted(r.first_name for r in dupont) == ["Alian", "Allan"]


def test_the_rentree_export_lists_ten_students() -> None:
    report = read_and_check("lycee-pix-rentree.xml")
    records = {record.last_name: record for record in report.records}

    assert report.errors == [] and report.skipped == [] and report.warnings == []
    assert len(report.records) == 10  # the DUPONT twins share a key of ``records``
    assert "BENALI" in records and "ADORE" not in records and "MÜLLER" not in records
    assert records["D'ALEMBERT"].preferred_last_name == "DURAND"
    assert records["D'ALEMBERT"].division == "TG1"


@pytest.mark.parametrize(
    ("name", "file_uai"), [("error-wrong-uai.xml", "0999999Z"), ("error-no-uai.xml", None)]
)
def test_another_school_or_no_uai_is_uai_mismatch(name: str, file_uai: str | None) -> None:
    report = read_and_check(name)

    assert [(e.code, e.line, e.meta) for e in report.errors] == [
        ("UAI_MISMATCH", None, {"file_uai": file_uai, "expected_uai": UAI})
    ]
    assert report.records == [] and report.skipped == []


def test_a_duplicate_ine_is_reported_on_the_second_entry() -> None:
    report = read_and_check("error-duplicate-ine.xml")

    assert [(e.code, e.line, e.national_student_id, e.first_name, e.meta) for e in report.errors] == [
        ("DUPLICATE_NATIONAL_STUDENT_ID", 22, "111111111AA", "Pauline", {"first_line": 6})
    ]


def test_bad_fields_give_four_items_in_one_report() -> None:
    report = read_and_check("error-bad-fields.xml")

    assert [(e.code, e.line, e.national_student_id, e.field, e.meta) for e in report.errors] == [
        ("INVALID_BIRTHDATE", 6, "222222222AA", "birthdate", {"value": "2008-02-01"}),
        ("INVALID_BIRTHDATE", 22, "222222222AB", "birthdate", {"value": "31/02/2008"}),
        ("MISSING_LAST_NAME", 38, "222222222AC", "last_name", {}),
        ("MISSING_BIRTHDATE", 54, "222222222AD", "birthdate", {}),
    ]
    assert [(e.last_name, e.first_name) for e in report.errors] == [
        ("DATE", "Mauvaise"),
        ("DATE", "Impossible"),
        (None, "Sansnom"),
        ("SANSDATE", "Paul"),
    ]


def test_a_truncated_file_is_malformed_xml_with_the_line_where_it_stops() -> None:
    with pytest.raises(InvalidSiecleFile) as raised:
        read_and_check("error-truncated.xml")

    assert raised.value.errors is not None
    [item] = raised.value.errors
    assert (item["code"], item["line"]) == ("MALFORMED_XML", 36)
    assert (SAMPLES / "error-truncated.xml").read_bytes().count(b"\n") + 1 == 36
