"""Malicious and broken uploads: each is refused with its exact code, in bounded memory.

The peak is measured in each test (``measure_peak``: Python's allocations and the process's resident
set, so that libxml2's and zlib's own allocations count too).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from domain.students.errors import FileTooLarge, InvalidSiecleFile, TooManyStudents, UnsupportedFileType
from domain.students.siecle import SiecleFile, check_siecle_file, looks_double_encoded
from infrastructure.siecle.reader import CHUNK_SIZE, MAX_ZIP_ENTRIES, inflated_chunks, read_siecle_upload
from tests.support.hostile_files import (
    ONE_STUDENT,
    XML_HEADER,
    GiB,
    MiB,
    billion_laughs,
    deflate_bomb_zip,
    empty_zip,
    external_dtd,
    external_entity,
    nameless_students,
    one_student_in_many_classes,
    oversized_xml,
    parameter_entity,
    pdf_named_xml,
    quadratic_blowup,
    siecle_with_doctype,
    structures_of_nobody,
    xinclude,
    zip_of,
)
from tests.support.memory import MemoryPeak, measure_peak
from tests.support.siecle_generator import build_siecle, generate_siecle, zip_bytes

UAI = "0751234A"
TODAY = date(2025, 9, 10)
MB = 1_000_000
UPLOAD_CAP = 20 * MB
XML_CAP = 200 * MB
MEMORY_BOUND = 20 * MB


def read(data: bytes, *, max_upload_bytes: int = UPLOAD_CAP, max_xml_bytes: int = XML_CAP) -> SiecleFile:
    return read_siecle_upload(
        io.BytesIO(data), max_upload_bytes=max_upload_bytes, max_xml_bytes=max_xml_bytes
    )


def refusal(data: bytes) -> dict[str, Any]:
    """The single item of the ``InvalidSiecleFile`` that reading ``data`` raises."""
    with pytest.raises(InvalidSiecleFile) as raised:
        read(data)
    assert raised.value.errors is not None
    [item] = raised.value.errors
    return item


def assert_bounded(peak: MemoryPeak, bound: int = MEMORY_BOUND) -> None:
    assert peak.python_bytes < bound, str(peak)
    if peak.process_bytes is not None:
        assert peak.process_bytes < bound, str(peak)


class TestForbiddenConstructs:
    @pytest.mark.parametrize(
        "build",
        [billion_laughs, quadratic_blowup, external_entity, external_dtd, parameter_entity],
        ids=["billion-laughs", "quadratic-blowup", "external-entity", "external-dtd", "parameter-entity"],
    )
    def test_any_doctype_is_refused_before_parsing(self, build: Callable[[], bytes]) -> None:
        data = build()
        with measure_peak() as peak:
            item = refusal(data)

        assert (item["code"], item["line"]) == ("FORBIDDEN_XML_CONSTRUCT", None)
        assert_bounded(peak, 5 * MB)

    def test_a_doctype_inside_a_zip_is_refused(self) -> None:
        assert refusal(zip_bytes(external_entity()))["code"] == "FORBIDDEN_XML_CONSTRUCT"

    @pytest.mark.parametrize("shift", [-9, -5, -1, 0, 1])
    def test_a_doctype_across_two_chunks_is_seen(self, shift: int) -> None:
        # Out of place (after the root), it would be a syntax error: it is refused before that.
        head = XML_HEADER.encode() + b"<!--"
        padding = b"x" * (CHUNK_SIZE + shift - len(head) - len(b"-->"))
        data = head + padding + b"-->" + external_entity().split(b"\n", 1)[1]
        assert data.index(b"<!DOCTYPE") == CHUNK_SIZE + shift

        assert refusal(data)["code"] == "FORBIDDEN_XML_CONSTRUCT"

    def test_an_entity_declaration_alone_is_refused(self) -> None:
        data = (
            XML_HEADER + '<!ENTITY xxe SYSTEM "file:///etc/passwd">' + ONE_STUDENT.format(first_name="A")
        ).encode()

        assert refusal(data)["code"] == "FORBIDDEN_XML_CONSTRUCT"

    def test_a_doctype_after_a_long_prolog_is_never_parsed(self) -> None:
        # A first chunk without the root is not a SIECLE export: reading stops before the DOCTYPE.
        head = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<!--'
        data = head + b"x" * CHUNK_SIZE + b"-->" + billion_laughs().split(b"\n", 1)[1]

        with measure_peak() as peak:
            siecle_file = read(data)

        assert siecle_file == SiecleFile(uai=None, entries=[])
        assert_bounded(peak, 5 * MB)

    def test_a_doctype_after_a_bom_in_utf8_is_refused(self) -> None:
        data = b"\xef\xbb\xbf" + external_entity().replace(b"ISO-8859-15", b"UTF-8")

        assert refusal(data)["code"] == "FORBIDDEN_XML_CONSTRUCT"

    def test_an_undeclared_entity_is_malformed_xml_with_its_line(self) -> None:
        data = siecle_with_doctype("", "&xxe;")

        item = refusal(data)

        assert item["code"] == "MALFORMED_XML"
        assert item["line"] == data.split(b"&xxe;")[0].count(b"\n") + 1

    def test_an_xinclude_is_not_followed(self) -> None:
        siecle_file = read(xinclude("/etc/passwd"))

        [entry] = siecle_file.entries
        assert entry.first_name is None
        assert "root" not in repr(siecle_file)
        report = check_siecle_file(siecle_file, UAI, TODAY)
        assert [issue.code for issue in report.errors] == ["MISSING_FIRST_NAME"]


class TestSizeCaps:
    def test_more_students_than_the_cap_are_refused_as_soon_as_the_one_too_many_is_read(self) -> None:
        hostile = zip_of([("ElevesSansAdresses.xml", nameless_students(300_000))])

        with measure_peak() as peak, pytest.raises(TooManyStudents) as raised:
            read_siecle_upload(
                io.BytesIO(hostile), max_upload_bytes=UPLOAD_CAP, max_xml_bytes=XML_CAP, max_students=20_000
            )

        assert raised.value.meta == {"limit": 20_000}
        assert_bounded(peak)

    def test_more_groups_of_structures_than_the_cap_are_refused(self) -> None:
        with pytest.raises(TooManyStudents):
            read_siecle_upload(
                io.BytesIO(structures_of_nobody(500)),
                max_upload_bytes=UPLOAD_CAP,
                max_xml_bytes=XML_CAP,
                max_students=499,
            )
        at_cap = read_siecle_upload(
            io.BytesIO(structures_of_nobody(499)),  # and the student's own group: 500
            max_upload_bytes=UPLOAD_CAP,
            max_xml_bytes=XML_CAP,
            max_students=500,
        )
        assert [entry.divisions for entry in at_cap.entries] == [("2NDE1",)]

    def test_a_student_keeps_twenty_distinct_classes_and_the_warning_lists_them(self) -> None:
        siecle_file = read(one_student_in_many_classes(50, 300, distinct=100))

        [entry] = siecle_file.entries
        assert entry.divisions == tuple(f"2NDE{k}" for k in range(1, 21))
        # Each group repeats 2NDE1…2NDE100 three times: the 80 classes not kept count each time.
        assert entry.divisions_dropped == 50 * 80 * 3
        [warning] = check_siecle_file(siecle_file, UAI, TODAY).warnings
        assert warning.code == "SEVERAL_DIVISIONS"
        assert warning.meta["divisions"] == list(entry.divisions)
        assert warning.meta["divisions_omitted"] == 50 * 80 * 3

    def test_a_file_at_the_cap_is_read(self) -> None:
        siecle_file = read_siecle_upload(
            io.BytesIO(nameless_students(500)),
            max_upload_bytes=UPLOAD_CAP,
            max_xml_bytes=XML_CAP,
            max_students=500,
        )
        assert len(siecle_file.entries) == 500

    def test_a_30_mb_upload_over_a_20_mb_cap_is_refused_without_reading_it(self) -> None:
        data = oversized_xml(30 * MB)
        upload = io.BytesIO(data)

        with measure_peak() as peak, pytest.raises(FileTooLarge) as raised:
            read_siecle_upload(upload, max_upload_bytes=UPLOAD_CAP, max_xml_bytes=XML_CAP)

        assert raised.value.meta["limit"] == UPLOAD_CAP
        assert upload.tell() == 0
        assert_bounded(peak)

    def test_a_30_mb_stream_that_cannot_seek_is_counted_while_read(self) -> None:
        upload = UnseekableStream(oversized_xml(30 * MB))

        with measure_peak() as peak, pytest.raises(FileTooLarge):
            read_siecle_upload(upload, max_upload_bytes=UPLOAD_CAP, max_xml_bytes=XML_CAP)  # type: ignore[arg-type]

        assert upload.position <= UPLOAD_CAP + CHUNK_SIZE
        assert_bounded(peak)

    def test_an_upload_just_under_the_cap_is_read(self) -> None:
        data = oversized_xml(UPLOAD_CAP)

        with measure_peak() as peak:
            siecle_file = read(data)

        assert len(siecle_file.entries) == 1
        assert_bounded(peak)

    def test_a_gigabyte_zip_bomb_is_refused_in_small_memory(self) -> None:
        bomb = deflate_bomb_zip(GiB)
        assert len(bomb) < 2 * MB

        # This thread's CPU time, not wall time: inflating a gigabyte would show in it whatever the
        # load, and the test servers' threads of this process do not.
        started = time.thread_time()
        with measure_peak() as peak, pytest.raises(FileTooLarge) as raised:
            read(bomb)

        assert raised.value.meta["limit"] == XML_CAP
        assert time.thread_time() - started < 2
        assert_bounded(peak)

    def test_a_bomb_lying_about_its_size_inflates_no_more_than_it_declares(self) -> None:
        bomb = deflate_bomb_zip(GiB, declared_size=5 * MiB)

        with measure_peak() as peak:
            item = refusal(bomb)

        assert item["code"] == "INVALID_ZIP"  # zipfile stops at the declared size: wrong CRC
        assert_bounded(peak)

    def test_inflating_stops_as_soon_as_the_cap_is_passed_whatever_the_declared_size(self) -> None:
        with zipfile.ZipFile(io.BytesIO(deflate_bomb_zip(GiB))) as archive:
            member = archive.infolist()[0]
            member.file_size = 1 << 40  # an attacker may declare anything
            produced = 0
            with measure_peak() as peak, pytest.raises(FileTooLarge):
                for chunk in inflated_chunks(archive, member, 50 * MB):
                    produced += len(chunk)

        assert produced <= 50 * MB
        assert_bounded(peak)

    def test_a_whitespace_bomb_under_the_cap_is_malformed_xml_in_small_memory(self) -> None:
        # Inside the caps, but libxml2 refuses a 10 MB text node (huge_tree stays off).
        bomb = deflate_bomb_zip(150 * MB)

        with measure_peak() as peak:
            item = refusal(bomb)

        assert item["code"] == "MALFORMED_XML"
        assert_bounded(peak, 40 * MB)

    def test_a_zip_over_the_upload_cap_is_too_large(self) -> None:
        with pytest.raises(FileTooLarge):
            read(zip_bytes(generate_siecle(200)), max_upload_bytes=10_000)


class TestZip:
    def test_two_xml_files_are_an_invalid_zip(self) -> None:
        data = zip_of([("ElevesSansAdresses.xml", generate_siecle(3)), ("copie.xml", generate_siecle(3))])

        item = refusal(data)

        assert (item["code"], item["line"], item["meta"]["xml_entries"]) == ("INVALID_ZIP", None, 2)

    def test_an_empty_zip_is_an_invalid_zip(self) -> None:
        assert refusal(empty_zip())["code"] == "INVALID_ZIP"

    def test_a_zip_without_a_visible_xml_is_an_invalid_zip(self) -> None:
        data = zip_of(
            [
                ("__MACOSX/._ElevesSansAdresses.xml", b"\x00\x05"),
                (".ElevesSansAdresses.xml", generate_siecle(3)),
                ("export/.cache/ElevesSansAdresses.xml", generate_siecle(3)),
                ("LISEZMOI.txt", b"SIECLE"),
            ]
        )

        assert refusal(data)["code"] == "INVALID_ZIP"

    def test_the_one_visible_xml_is_read_wherever_it_is(self) -> None:
        data = zip_of(
            [
                ("__MACOSX/export/._ELEVES.XML", b"\x00\x05"),
                ("export/ELEVES.XML", generate_siecle(3, all_kept=True)),
                ("export/.DS_Store", b"\x00"),
            ]
        )

        assert len(read(data).entries) == 3

    def test_a_corrupt_zip_is_an_invalid_zip(self) -> None:
        data = zip_bytes(generate_siecle(50))

        assert refusal(data[: len(data) // 2])["code"] == "INVALID_ZIP"
        damaged = bytearray(data)
        damaged[100:110] = b"\xff" * 10  # inside the compressed member
        assert refusal(bytes(damaged))["code"] in {"INVALID_ZIP", "MALFORMED_XML", "INVALID_ENCODING"}

    def test_overlapping_entries_are_never_inflated(self) -> None:
        bomb = deflate_bomb_zip(GiB, names=[f"eleves-{i}.xml" for i in range(200)])

        with measure_peak() as peak:
            item = refusal(bomb)

        assert (item["code"], item["meta"]["xml_entries"]) == ("INVALID_ZIP", 200)
        assert_bounded(peak, 5 * MB)

    def test_a_zip_with_too_many_entries_is_refused_before_listing_them(self) -> None:
        bomb = deflate_bomb_zip(
            MiB, names=["ElevesSansAdresses.xml"] + [f"x{i}.txt" for i in range(MAX_ZIP_ENTRIES)]
        )

        item = refusal(bomb)

        assert (item["code"], item["meta"]["reason"]) == ("INVALID_ZIP", "too many entries")


class TestNotSiecle:
    @pytest.mark.parametrize(
        "data",
        [
            pdf_named_xml(),
            b"",
            b"   \n",
            b"Nom;Pr\xe9nom;INE\nABBA;Camille;123456789AA\n",
            b"\x89PNG\r\n\x1a\n",
        ],
        ids=["pdf", "empty", "blank", "csv", "png"],
    )
    def test_anything_but_xml_or_zip_is_an_unsupported_file_type(self, data: bytes) -> None:
        with pytest.raises(UnsupportedFileType):
            read(data)

    def test_another_xml_document_has_no_uai(self) -> None:
        data = b'<?xml version="1.0"?>\n<FACTURE>' + b"<LIGNE>1</LIGNE>" * 200_000 + b"</FACTURE>"

        with measure_peak() as peak:
            siecle_file = read(data)

        assert siecle_file == SiecleFile(uai=None, entries=[])
        assert [e.code for e in check_siecle_file(siecle_file, UAI, TODAY).errors] == ["UAI_MISMATCH"]
        assert_bounded(peak)


class TestEncoding:
    def test_an_iso_8859_15_file_declared_utf8_is_invalid_encoding(self) -> None:
        data = generate_siecle(20, declared_encoding="UTF-8")

        item = refusal(data)

        assert (item["code"], item["line"], item["meta"]) == ("INVALID_ENCODING", None, {"encoding": "UTF-8"})

    @pytest.mark.parametrize("encoding", ["KLINGON", "zlib_codec", "rot13", "UTF-16", "ISO-8859-15\u00e9"])
    def test_an_unknown_or_unsupported_encoding_is_invalid_encoding(self, encoding: str) -> None:
        data = (
            XML_HEADER.replace("ISO-8859-15", encoding).encode("utf-8")
            + ONE_STUDENT.format(first_name="A").encode()
        )

        assert refusal(data)["code"] == "INVALID_ENCODING"

    def test_a_utf8_file_declared_iso_8859_15_imports_with_a_warning_per_student_with_accents(self) -> None:
        generated = build_siecle(300, seed=7, encoding="UTF-8", declared_encoding="ISO-8859-15")

        report = check_siecle_file(read(generated.xml), UAI, TODAY)

        kept = [s for s in generated.students if s.kind == "kept"]
        accented = [s for s in kept if not "".join(_names(s)).isascii()]
        assert report.errors == []
        assert len(report.records) == len(kept)
        warnings = [w for w in report.warnings if w.code == "DOUBLE_ENCODED_NAME"]
        assert 0 < len(warnings) == len(accented) < len(kept)
        for warning in warnings:
            assert warning.meta["fields"]
            assert all(
                looks_double_encoded(warning.meta[field])
                for field in ("last_name", "first_name")
                if field in warning.meta["fields"]
            )

    def test_a_utf8_bom_wins_over_the_declaration(self) -> None:
        generated = build_siecle(50, seed=3, encoding="UTF-8", declared_encoding="ISO-8859-15", bom=True)

        assert read(generated.xml).entries == generated.entries

    def test_a_utf8_file_declared_utf8_reads_its_accents(self) -> None:
        generated = build_siecle(50, seed=4, encoding="UTF-8")

        assert read(generated.xml).entries == generated.entries


class TestBrokenXml:
    @pytest.mark.parametrize("fraction", [0.1, 0.5, 0.93])
    def test_a_file_cut_in_the_middle_is_malformed_xml_at_its_last_line(self, fraction: float) -> None:
        data = generate_siecle(2000, seed=1)
        cut = data[: int(len(data) * fraction)]

        item = refusal(cut)

        assert item["code"] == "MALFORMED_XML"
        assert item["line"] == cut.count(b"\n") + 1

    def test_a_bare_ampersand_gives_its_line(self) -> None:
        lines = generate_siecle(40, seed=2).split(b"\n")
        line = next(number for number, text in enumerate(lines, 1) if number > 100 and b"<PRENOM>" in text)
        lines[line - 1] = b"        <PRENOM>Jean & Co</PRENOM>"

        item = refusal(b"\n".join(lines))

        assert (item["code"], item["line"]) == ("MALFORMED_XML", line)

    def test_a_bee_eleves_without_eleve_is_no_students(self) -> None:
        data = (XML_HEADER + "<DONNEES><ELEVES/><STRUCTURES/></DONNEES></BEE_ELEVES>").encode()

        siecle_file = read(data)

        assert siecle_file == SiecleFile(uai=UAI, entries=[])
        assert [(e.code, e.line) for e in check_siecle_file(siecle_file, UAI, TODAY).errors] == [
            ("NO_STUDENTS", None)
        ]

    def test_excessive_nesting_is_malformed_xml(self) -> None:
        data = (XML_HEADER + "<a>" * 5000).encode()

        assert refusal(data)["code"] == "MALFORMED_XML"

    def test_a_student_record_that_never_ends_is_refused_in_small_memory(self) -> None:
        record_start = XML_HEADER + '<DONNEES><ELEVES><ELEVE ELEVE_ID="1"><ID_NATIONAL>1</ID_NATIONAL>'
        data = deflate_bomb_zip(100 * MB, prefix=record_start.encode(), filler=b"<PRENOM>x</PRENOM>\n")

        with measure_peak() as peak:
            item = refusal(data)

        assert item["code"] == "MALFORMED_XML"
        assert item["line"] == 4
        assert_bounded(peak, 40 * MB)


class UnseekableStream(io.RawIOBase):
    """An upload that can only be read forward, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), len(self._data) - self.position)
        buffer[:size] = self._data[self.position : self.position + size]
        self.position += size
        return size


def _names(student: Any) -> Iterator[str]:
    for name in ("last_name", "preferred_last_name", "first_name", "middle_name", "third_name"):
        value = getattr(student, name)
        if value:
            yield value
