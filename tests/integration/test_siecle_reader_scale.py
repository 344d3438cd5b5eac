"""Large generated exports: exact reading (lines past 65,535 included) and memory that follows the
number of students, never the size of the file."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from domain.students.siecle import SiecleFile, check_siecle_file
from infrastructure.siecle.reader import read_siecle_upload
from tests.support.memory import MemoryPeak, measure_peak
from tests.support.siecle_generator import GeneratedSiecle, build_siecle, zip_bytes

UAI = "0751234A"
TODAY = date(2025, 9, 10)
MB = 1_000_000
NO_CAP = 1 << 40
PER_STUDENT_BYTES = 1_200
"""What one student may cost: its entry and values (about 650 bytes measured), with a margin."""


@pytest.fixture(scope="module")
def lycee() -> GeneratedSiecle:
    return build_siecle(2_000, seed=11)


@pytest.fixture(scope="module")
def district() -> GeneratedSiecle:
    return build_siecle(20_000, seed=12)


def read(data: bytes) -> SiecleFile:
    return read_siecle_upload(io.BytesIO(data), max_upload_bytes=NO_CAP, max_xml_bytes=NO_CAP)


def peak_of(data: bytes, *, trace_python: bool = True) -> tuple[SiecleFile, MemoryPeak]:
    with measure_peak(trace_python=trace_python) as peak:
        siecle_file = read(data)
    return siecle_file, peak


def test_twenty_thousand_students_are_read_exactly_lines_included(district: GeneratedSiecle) -> None:
    siecle_file = read(district.xml)

    assert siecle_file.entries[-1].line > 300_000  # libxml2 keeps 16-bit lines on elements
    assert siecle_file.entries == district.entries
    report = check_siecle_file(siecle_file, UAI, TODAY)
    assert report.errors == []
    assert report.records == district.expected_records()
    assert [(s.line, s.reason) for s in report.skipped] == district.skip_reasons()


def test_a_zipped_export_reads_as_the_xml(lycee: GeneratedSiecle) -> None:
    assert read(zip_bytes(lycee.xml)) == read(lycee.xml)


def test_the_python_peak_follows_the_number_of_students(
    lycee: GeneratedSiecle, district: GeneratedSiecle
) -> None:
    _, small = peak_of(lycee.xml)
    _, large = peak_of(district.xml)

    assert small.python_bytes < 2_000 * PER_STUDENT_BYTES + 2 * MB, str(small)
    assert large.python_bytes < 20_000 * PER_STUDENT_BYTES + 2 * MB, str(large)
    assert large.python_bytes > 3 * small.python_bytes  # it does grow with the students


def test_the_process_peak_follows_the_number_of_students(district: GeneratedSiecle) -> None:
    zipped = zip_bytes(district.xml)

    _, peak = peak_of(zipped, trace_python=False)

    if peak.process_bytes is None:
        pytest.skip("the resident set high-water mark cannot be reset here")
    # 22 MB of XML, 20,000 students: less than the XML, C allocations (libxml2, zlib) included.
    assert peak.process_bytes < 20_000 * PER_STUDENT_BYTES + 10 * MB, str(peak)


def test_padding_the_file_does_not_grow_memory(lycee: GeneratedSiecle) -> None:
    padding = b"<!--" + b" padding " * 1_000 + b"-->" + b" " * 10_000 + b"\n"
    padded = lycee.xml.replace(b"      <ELEVE ", padding + b"      <ELEVE ")
    padded = padded.replace(b"      <STRUCTURES_ELEVE ", padding + b"      <STRUCTURES_ELEVE ")
    assert len(padded) > 15 * len(lycee.xml)

    plain_file, plain = peak_of(lycee.xml)
    padded_file, grown = peak_of(padded)

    assert [entry.national_student_id for entry in padded_file.entries] == [
        entry.national_student_id for entry in plain_file.entries
    ]
    assert grown.python_bytes < plain.python_bytes + 1 * MB, f"{plain} / {grown}"
    if plain.process_bytes is not None and grown.process_bytes is not None:
        assert grown.process_bytes < plain.process_bytes + 5 * MB, f"{plain} / {grown}"


def test_unknown_elements_between_records_are_dropped_as_they_go(lycee: GeneratedSiecle) -> None:
    junk = b"<AUTRE><X>1</X><X>2</X><X>3</X></AUTRE>\n" * 25
    padded = lycee.xml.replace(b"      <ELEVE ", junk + b"      <ELEVE ")
    padded = padded.replace(b"  <DONNEES>", b"  <DONNEES>" + junk * 1_000)  # 100,000 elements

    plain_file, plain = peak_of(lycee.xml)
    padded_file, grown = peak_of(padded)

    assert len(padded_file.entries) == len(plain_file.entries)
    if plain.process_bytes is not None and grown.process_bytes is not None:
        assert grown.process_bytes < plain.process_bytes + 5 * MB, f"{plain} / {grown}"


def test_progress_is_reported_up_to_the_size_of_the_upload(lycee: GeneratedSiecle) -> None:
    for data in (lycee.xml, zip_bytes(lycee.xml)):
        seen: list[int] = []
        read_siecle_upload(
            io.BytesIO(data), max_upload_bytes=NO_CAP, max_xml_bytes=NO_CAP, progress=seen.append
        )

        assert len(seen) > 1
        assert seen == sorted(seen)
        assert seen[-1] <= len(data)
        assert seen[-1] > 0.9 * len(data)


def test_the_reader_keeps_no_element_of_the_file(lycee: GeneratedSiecle) -> None:
    # Entries hold plain strings only: nothing ties them to lxml's tree.
    siecle_file = read(lycee.xml)

    assert all(type(value) is str for entry in siecle_file.entries for value in _values(entry))
    assert not re.search(r"lxml|_Element", repr(siecle_file.entries[:50]))


def _values(entry: object) -> list[object]:
    values = [
        getattr(entry, name)
        for name in entry.__slots__
        if name not in {"line", "divisions", "divisions_dropped"}
    ]  # type: ignore[attr-defined]
    return [value for value in values if value is not None] + list(entry.divisions)  # type: ignore[attr-defined]
