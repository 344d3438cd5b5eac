"""The Lycée Pix sample exports (``tests/support/siecle_samples.py``) read and check as described
there, and the copies in ``examples/`` that the README uses are what the generator writes."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from domain.students.errors import InvalidSiecleFile
from domain.students.siecle import SiecleReport, check_siecle_file
from infrastructure.siecle.reader import read_siecle_upload
from tests.support.siecle_samples import EXAMPLES, SAMPLES, UAI, first_export

EXAMPLES_DIRECTORY = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2025, 9, 10)
MB = 1_000_000


def read_and_check(content: bytes) -> SiecleReport:
    siecle_file = read_siecle_upload(io.BytesIO(content), max_upload_bytes=20 * MB, max_xml_bytes=200 * MB)
    return check_siecle_file(siecle_file, UAI, TODAY)


def line_of(last_name: str, first_name: str | None = None) -> int:
    export = first_export()
    return next(
        entry.line
        for entry in export.entries
        if entry.last_name == last_name and first_name in (None, entry.first_name)
    )


@pytest.mark.parametrize("name", ["ElevesSansAdresses.xml", "ElevesSansAdresses.zip"])
def test_the_first_export_keeps_thirty_students_and_skips_four(name: str) -> None:
    report = read_and_check(SAMPLES[name]())

    assert report.errors == []
    assert report.warnings == []
    assert len(report.records) == 30
    assert [(s.last_name, s.reason) for s in report.skipped] == [
        ("DORMANT", "NO_DIVISION"),
        ("FANTÔME", "NO_DIVISION"),
        ("MEAULNES", "MISSING_NATIONAL_STUDENT_ID"),
        ("PASSEPARTOUT", "LEFT_SCHOOL"),
    ]
    assert [s.line for s in report.skipped] == [
        line_of(s) for s in ("DORMANT", "FANTÔME", "MEAULNES", "PASSEPARTOUT")
    ]
    assert report.skipped[2].national_student_id is None
    assert report.skipped[3].national_student_id == "000001025PX"


def test_the_first_export_reads_every_field_with_its_accents() -> None:
    records = {record.last_name: record for record in read_and_check(first_export().xml).records}

    assert len(records) == 29  # the DALTON twins share a key
    mole = records["DE LA MOLE"]
    assert (mole.first_name, mole.middle_name, mole.third_name) == ("Jean-Émile", "Noël", None)
    assert (mole.birthdate, mole.division, mole.line) == (date(2009, 11, 5), "2NDE2", line_of("DE LA MOLE"))
    seurel = records["SEUREL"]
    assert (seurel.first_name, seurel.middle_name, seurel.third_name) == ("François", "Marcel", "Augustin")
    artagnan = records["D'ARTAGNAN"]
    assert (artagnan.first_name, artagnan.preferred_last_name) == ("Zoé", "DE BATZ")
    fogg = records["FOGG"]
    assert (fogg.first_name, fogg.birth_country_code, fogg.birth_city) == ("Phileas", "132", "LONDRES")
    assert (fogg.birth_department_code, fogg.birth_city_code) == (None, None)
    coeur = records["CŒURVAILLANT"]
    assert (coeur.first_name, coeur.birth_city_code, coeur.birth_department_code) == (
        "Maëlys",
        "69123",
        "069",
    )
    munchhausen = records["MÜNCHHAUSEN"]
    assert (munchhausen.first_name, munchhausen.status, munchhausen.division) == ("Hieronymus", "AP", "BTS1")
    assert records["TOURNESOL"].birthdate == date(2008, 2, 29)
    assert records["NGÔ"].first_name == "Thi Lan"
    turing = records["TURING"]
    assert (turing.national_student_id, turing.middle_name, turing.mef_code) == (
        "000001033PX",
        "Mathison",
        "32031309210",
    )
    assert records["DANTÈS"].division == "1G1"  # its group (LV2ESP) is not a class


def test_the_twins_are_two_students() -> None:
    dalton = [r for r in read_and_check(first_export().xml).records if r.last_name == "DALTON"]

    assert sorted(r.first_name for r in dalton) == ["Jack", "Jacky"]
    assert dalton[0].birthdate == dalton[1].birthdate


def test_the_rentree_export_lists_twenty_six_students() -> None:
    report = read_and_check(SAMPLES["ElevesSansAdresses-rentree.xml"]())
    records = {record.last_name: record for record in report.records}

    assert report.errors == [] and report.warnings == []
    assert [(s.last_name, s.reason) for s in report.skipped] == [("DORMANT", "NO_DIVISION")]
    assert len(report.records) == 26
    assert {"LIDDELL", "PAN", "MEAULNES", "FANTÔME"} <= set(records)
    assert "HADDOCK" not in records and "MÜNCHHAUSEN" not in records
    assert records["D'ARTAGNAN"].preferred_last_name == "DE CASTELMORE"
    assert records["D'ARTAGNAN"].division == "TG1"
    assert records["LAGAFFE"].division == "2NDE3"


@pytest.mark.parametrize(
    ("name", "file_uai"), [("erreur-uai-autre.xml", "0931234X"), ("erreur-sans-uai.xml", None)]
)
def test_another_school_or_no_uai_is_uai_mismatch(name: str, file_uai: str | None) -> None:
    report = read_and_check(SAMPLES[name]())

    assert [(e.code, e.line, e.meta) for e in report.errors] == [
        ("UAI_MISMATCH", None, {"file_uai": file_uai, "expected_uai": UAI})
    ]
    assert report.records == [] and report.skipped == []


def test_a_duplicate_ine_is_reported_on_the_second_entry() -> None:
    report = read_and_check(SAMPLES["erreur-ine-double.xml"]())

    assert [(e.code, e.line, e.national_student_id, e.first_name, e.meta) for e in report.errors] == [
        ("DUPLICATE_NATIONAL_STUDENT_ID", 42, "000003001PX", "Pollux", {"first_line": 6})
    ]


def test_bad_fields_give_four_items_in_one_report() -> None:
    report = read_and_check(SAMPLES["erreur-champs.xml"]())

    assert [(e.code, e.line, e.national_student_id, e.field, e.meta) for e in report.errors] == [
        ("INVALID_BIRTHDATE", 6, "000002001PX", "birthdate", {"value": "2009-05-14"}),
        ("INVALID_BIRTHDATE", 24, "000002002PX", "birthdate", {"value": "31/02/2009"}),
        ("MISSING_LAST_NAME", 42, "000002003PX", "last_name", {}),
        ("MISSING_BIRTHDATE", 60, "000002004PX", "birthdate", {}),
    ]
    assert [(e.last_name, e.first_name) for e in report.errors] == [
        ("ERREUR", "Aline"),
        ("ERREUR", "Basile"),
        (None, "Capucine"),
        ("ERREUR", "Denis"),
    ]


def test_a_truncated_file_is_malformed_xml_with_the_line_where_it_stops() -> None:
    truncated = SAMPLES["erreur-tronque.xml"]()
    with pytest.raises(InvalidSiecleFile) as raised:
        read_and_check(truncated)

    assert raised.value.errors is not None
    [item] = raised.value.errors
    assert (item["code"], item["line"]) == ("MALFORMED_XML", truncated.count(b"\n") + 1)


def test_the_samples_are_written_as_siecle_writes_them() -> None:
    xml = first_export().xml

    assert xml.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    assert "CŒURVAILLANT".encode("iso-8859-15") in xml  # Œ is one byte there, and not in Latin-1


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_examples_are_what_the_generator_writes(name: str) -> None:
    """``python -m tests.support.siecle_samples examples/`` after a change to the samples."""
    committed = (EXAMPLES_DIRECTORY / name).read_bytes()
    expected = SAMPLES[name]()
    if name.endswith(".zip"):  # the same entries; the compressed bytes may vary with zlib
        assert zip_contents(committed) == zip_contents(expected)
    else:
        assert committed == expected


def zip_contents(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(entry.filename, archive.read(entry)) for entry in archive.infolist()]
