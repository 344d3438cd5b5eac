"""Reads an uploaded SIECLE export (``ElevesSansAdresses.xml``, or the zip holding it) safely.

The upload is untrusted input. What it is comes from its first bytes, never its name. A zip must hold
exactly one visible ``.xml``, inflated as a stream and counted, so a bomb stops after ``max_xml_bytes``.
The text is decoded here, in the declared encoding, so that decoding errors are told apart from
broken XML, and any ``DOCTYPE`` or entity declaration is refused before the parser sees it: libxml2
then has nothing to expand or fetch. lxml parses at C speed as a stream; each element is read then
dropped as soon as it ends, so memory grows with the number of students, not with the file size.

Synchronous and CPU-bound: callers on an event loop run it in a worker thread.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, Final, cast

from lxml import etree

from domain.students.errors import FileTooLarge, InvalidSiecleFile, TooManyStudents, UnsupportedFileType
from domain.students.siecle import (
    FORBIDDEN_XML_CONSTRUCT,
    INVALID_ENCODING,
    INVALID_ZIP,
    MALFORMED_XML,
    SiecleEntry,
    SiecleFile,
)

Progress = Callable[[int], None]

CHUNK_SIZE: Final = 256 * 1024
SNIFF_SIZE: Final = 1024
SPOOL_MEMORY_BYTES: Final = 4 * 1024 * 1024
UTF8_BOM: Final = b"\xef\xbb\xbf"
ZIP_SIGNATURES: Final = (b"PK\x03\x04", b"PK\x05\x06")
"""A zip starts with a local file header, or is empty and starts with its end record."""
XML_WHITESPACE: Final = b" \t\r\n"
SPREADSHEET_MARKERS: Final = frozenset({"[Content_Types].xml", "mimetype"})
"""Members an Office Open XML (xlsx) or OpenDocument (ods) file holds and a SIECLE zip never does."""
MAX_ZIP_ENTRIES: Final = 1000
MAX_ZIP_DIRECTORY_BYTES: Final = 1024 * 1024
"""A SIECLE zip holds one to three entries; a directory beyond these is an attack on memory."""
ZIP_END_RECORD: Final = b"PK\x05\x06"
ZIP_END_RECORD_SIZE: Final = 22
ZIP_MAX_COMMENT: Final = 65535

SUPPORTED_ENCODINGS: Final = frozenset({"utf-8", "ascii", "iso8859-1", "iso8859-15", "cp1252"})
"""Python codec names; an allow-list, because ``codecs`` also holds bytes-to-bytes transforms (zlib…)."""
_XML_DECLARATION_END: Final = b"?>"
_ENCODING_DECLARATION: Final = re.compile(rb"""\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENCODING_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
"""XML's ``EncName``: Python's codec lookup would accept more (and libxml2 would then fail)."""
_FORBIDDEN_MARKERS: Final = ("<!DOCTYPE", "<!ENTITY")
_MARKER_OVERLAP: Final = max(len(marker) for marker in _FORBIDDEN_MARKERS) - 1

# ELEVE children read, in the order of ``SiecleEntry``'s fields after ``line``.
ELEVE_FIELDS: Final = (
    "ID_NATIONAL",
    "NOM_DE_FAMILLE",
    "NOM_USAGE",
    "PRENOM",
    "PRENOM2",
    "PRENOM3",
    "DATE_NAISS",
    "CODE_PAYS",
    "CODE_DEPARTEMENT_NAISS",
    "CODE_COMMUNE_INSEE_NAISS",
    "VILLE_NAISS",
    "CODE_MEF",
    "CODE_STATUT",
    "DATE_SORTIE",
)
_FIELD_INDEX: Final = {tag: index for index, tag in enumerate(ELEVE_FIELDS)}
_STRUCTURE_FIELDS: Final = {"CODE_STRUCTURE": 0, "TYPE_STRUCTURE": 1}
_ELEVE_PATH: Final = ("ELEVE", "ELEVES", "DONNEES", "BEE_ELEVES")
_STRUCTURES_PATH: Final = ("STRUCTURES_ELEVE", "STRUCTURES", "DONNEES", "BEE_ELEVES")
_UAI_PATH: Final = ("UAJ", "PARAMETRES", "BEE_ELEVES")
_EVENT_TAGS: Final = ("BEE_ELEVES", "ELEVE", "STRUCTURES_ELEVE", "UAJ")
_RECORD_TAGS: Final = frozenset({"ELEVE", "STRUCTURES_ELEVE"})
MAX_OPEN_RECORD_BYTES: Final = 1024 * 1024
MAX_RECORD_ELEMENTS: Final = 1000
"""A real record is about a kilobyte with some twenty elements: far below both limits."""
MAX_BYTES_BEFORE_SIECLE_ELEMENT: Final = 64 * 1024
"""SIECLE opens ``BEE_ELEVES`` on line 2: a first chunk without it is some other XML document, whose
elements cannot be swept (the root is not known yet) and must not pile up."""
LIBXML2_LAST_ELEMENT_LINE: Final = 65535
MAX_DIVISIONS: Final = 20
"""Distinct classes kept per student (SIECLE gives one or two); the others are only counted."""
DIVISION_TYPE: Final = "D"
INACTIVE_DIVISION: Final = "inactifs"


def read_siecle_upload(
    stream: BinaryIO,
    *,
    max_upload_bytes: int,
    max_xml_bytes: int,
    max_students: int | None = None,
    progress: Progress | None = None,
) -> SiecleFile:
    """Read an uploaded SIECLE export (XML or zip) into a ``SiecleFile``.

    Raises ``UnsupportedFileType`` (neither XML nor zip), ``FileTooLarge`` (upload over
    ``max_upload_bytes``, XML over ``max_xml_bytes``), ``TooManyStudents`` (more than
    ``max_students`` ``<ELEVE>``, counted as read; ``None`` for trusted files only) and
    ``InvalidSiecleFile`` with one ``INVALID_ZIP``, ``INVALID_ENCODING``,
    ``FORBIDDEN_XML_CONSTRUCT`` or ``MALFORMED_XML`` item.
    ``progress`` receives now and then how many bytes of the upload were consumed.
    """
    upload, start, size = seekable_upload(stream, max_upload_bytes)
    try:
        head = upload.read(SNIFF_SIZE)
        upload.seek(start)
        report = _progress_reporter(upload, start, size, progress)
        if head.startswith(ZIP_SIGNATURES):
            return _read_zip(upload, start, size, max_xml_bytes, _SiecleParser(max_students), report)
        if looks_like_xml(head):
            return _SiecleParser(max_students).parse(_stream_chunks(upload, max_xml_bytes), report)
        raise UnsupportedFileType()
    finally:
        if upload is not stream:
            upload.close()  # the spooled copy of a stream that could not seek


def seekable_upload(stream: BinaryIO, max_upload_bytes: int) -> tuple[BinaryIO, int, int]:
    """The upload, its start position and size, refused as soon as it is larger than allowed."""
    if stream.seekable():
        start = stream.tell()
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
        if size > max_upload_bytes:
            raise FileTooLarge(max_upload_bytes)
        return stream, start, size
    # A copy that can seek (zipfile needs it), on disk past a few megabytes; the caller closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        if size > max_upload_bytes:
            spool.close()
            raise FileTooLarge(max_upload_bytes)
        spool.write(chunk)
    spool.seek(0)
    return cast(BinaryIO, spool), 0, size


def looks_like_xml(head: bytes) -> bool:
    head = head.removeprefix(UTF8_BOM).lstrip(XML_WHITESPACE)
    return head.startswith(b"<")


def _progress_reporter(
    upload: BinaryIO, start: int, size: int, progress: Progress | None
) -> Callable[[], None]:
    def report() -> None:
        if progress is not None:
            progress(min(max(upload.tell() - start, 0), size))

    return report


def _stream_chunks(upload: BinaryIO, limit: int) -> Iterator[bytes]:
    total = 0
    while chunk := upload.read(CHUNK_SIZE):
        total += len(chunk)
        if total > limit:
            raise FileTooLarge(limit)
        yield chunk


def _read_zip(
    upload: BinaryIO,
    start: int,
    size: int,
    max_xml_bytes: int,
    parser: _SiecleParser,
    report: Callable[[], None],
) -> SiecleFile:
    _check_zip_directory(upload, start, size)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise _invalid_zip(f"unreadable: {error}") from error
    with archive:
        member = _single_xml_member(archive)
        if member.file_size > max_xml_bytes:  # early and cheap; the count below does not trust it
            raise FileTooLarge(max_xml_bytes)
        return parser.parse(inflated_chunks(archive, member, max_xml_bytes), report)


def _check_zip_directory(upload: BinaryIO, start: int, size: int) -> None:
    """Refuse a central directory so large that merely listing it would eat memory."""
    tail_size = min(size, ZIP_END_RECORD_SIZE + ZIP_MAX_COMMENT)
    upload.seek(start + size - tail_size)
    tail = upload.read(tail_size)
    upload.seek(start)
    position = tail.rfind(ZIP_END_RECORD)
    if position < 0 or len(tail) - position < ZIP_END_RECORD_SIZE:
        raise _invalid_zip("no end of central directory")
    entries, directory_size = struct.unpack_from("<HI", tail, position + 10)
    if entries > MAX_ZIP_ENTRIES or directory_size > MAX_ZIP_DIRECTORY_BYTES:
        raise _invalid_zip("too many entries")


def _single_xml_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    names = archive.namelist()
    if any(name in SPREADSHEET_MARKERS for name in names):
        raise UnsupportedFileType(meta={"kind": "spreadsheet"})  # xlsx, ods: to be saved as CSV first
    members = [info for info in archive.infolist() if not info.is_dir() and _is_visible_xml(info.filename)]
    if len(members) != 1:
        raise _invalid_zip("expected exactly one .xml", xml_entries=len(members))
    return members[0]


def _is_visible_xml(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    hidden = parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)
    return not hidden and name.lower().endswith(".xml")


def inflated_chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The member's bytes as they inflate, stopped as soon as more than ``limit`` came out."""
    total = 0
    try:
        with archive.open(member) as content:
            while chunk := content.read(CHUNK_SIZE):
                total += len(chunk)
                if total > limit:
                    raise FileTooLarge(limit)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        # RuntimeError: encrypted entry; NotImplementedError: compression method unknown to zipfile.
        raise _invalid_zip(f"unreadable entry: {error}") from error


def _invalid_zip(reason: str, **meta: int) -> InvalidSiecleFile:
    return InvalidSiecleFile.single(INVALID_ZIP, reason=reason, **meta)


class _Decoder:
    """Decodes the XML in its declared encoding, refusing undecodable bytes and forbidden constructs.

    The parser then gets UTF-8 whatever the file's encoding, and is told so: the declaration no
    longer matters to it, and what it parses is exactly what was checked here.
    """

    def __init__(self) -> None:
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._encoding = ""
        self._declared = ""
        self._tail = ""

    def decode(self, chunk: bytes, final: bool = False) -> bytes:
        if self._decoder is None:
            self._head += chunk
            if len(self._head) < SNIFF_SIZE and not final:
                return b""
            chunk, self._head = self._head, b""
            chunk = self._start(chunk)
        return self._decode(chunk, final)

    def _start(self, head: bytes) -> bytes:
        has_bom = head.startswith(UTF8_BOM)
        declared = "UTF-8" if has_bom else _declared_encoding(head)
        self._encoding = _codec_name(declared)
        if self._encoding not in SUPPORTED_ENCODINGS:
            raise InvalidSiecleFile.single(INVALID_ENCODING, encoding=declared)
        self._declared = declared
        self._decoder = codecs.getincrementaldecoder(self._encoding)("strict")
        return head.removeprefix(UTF8_BOM)

    def _decode(self, chunk: bytes, final: bool) -> bytes:
        assert self._decoder is not None
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            raise InvalidSiecleFile.single(INVALID_ENCODING, encoding=self._declared) from error
        self._refuse_forbidden_constructs(text)
        if self._encoding in {"utf-8", "ascii"}:
            return chunk  # already valid UTF-8: spare a copy
        return text.encode("utf-8")

    def _refuse_forbidden_constructs(self, text: str) -> None:
        window = self._tail + text[:_MARKER_OVERLAP]
        if any(marker in text or marker in window for marker in _FORBIDDEN_MARKERS):
            raise InvalidSiecleFile.single(FORBIDDEN_XML_CONSTRUCT)
        self._tail = (self._tail + text[-_MARKER_OVERLAP:])[-_MARKER_OVERLAP:]


def _codec_name(declared: str) -> str:
    """Python's name for the declared encoding, or ``""`` when it is not one."""
    if _ENCODING_NAME.fullmatch(declared) is None:
        return ""
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return ""


def _declared_encoding(head: bytes) -> str:
    """The encoding named by the XML declaration, UTF-8 (XML's default) when none is named."""
    if not head.startswith(b"<?xml"):
        return "UTF-8"
    end = head.find(_XML_DECLARATION_END)
    match = _ENCODING_DECLARATION.search(head[: end if end >= 0 else len(head)])
    if match is None:
        return "UTF-8"
    return (match.group(1) or match.group(2) or b"").decode("latin-1")


class _SiecleParser:
    """Streams the XML through lxml, reading each student as it ends and dropping what was read.

    lxml reports only the end of ``ELEVE``, ``STRUCTURES_ELEVE`` and ``UAJ`` (a per-element Python
    callback would double the parse time). After each chunk, ``_sweep`` walks the elements still
    open and deletes every finished element outside a student's record: whatever else the file holds
    (padding, unknown elements) is dropped as it goes. A record still open after
    ``MAX_OPEN_RECORD_BYTES``, or holding more than ``MAX_RECORD_ELEMENTS`` elements, is not a SIECLE
    record but an attempt to fill memory (``MALFORMED_XML``). More than ``max_students`` students, or
    groups of structures, is refused as soon as the one too many ends (``TooManyStudents``). A
    student keeps at most ``MAX_DIVISIONS`` distinct classes, the others only counted.
    """

    def __init__(self, max_students: int | None) -> None:
        self._max_students = max_students
        self._uai: str | None = None
        self._rows: list[tuple[str | None, int, list[str | None]]] = []
        self._values: dict[str, str] = {}
        """One object per distinct value: codes, classes and common names repeat a lot."""
        self._divisions: dict[str, list[str]] = {}
        self._dropped_divisions: dict[str, int] = {}
        self._root: etree._Element | None = None
        self._fed = 0
        self._open_record: etree._Element | None = None
        self._open_record_bytes = 0

    def parse(self, chunks: Iterator[bytes], report: Callable[[], None]) -> SiecleFile:
        parser = etree.XMLPullParser(
            events=("start", "end"),
            tag=_EVENT_TAGS,
            encoding="UTF-8",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        decoder = _Decoder()
        etree.clear_error_log()  # the log is per thread: keep only this file's errors
        try:
            for chunk in chunks:
                self._feed(parser, decoder.decode(chunk))
                report()
                if self._root is None and self._fed > MAX_BYTES_BEFORE_SIECLE_ELEMENT:
                    return SiecleFile(uai=None, entries=[])  # not a SIECLE export: no UAI
            self._feed(parser, decoder.decode(b"", final=True))
            parser.close()
        except etree.XMLSyntaxError as error:
            raise InvalidSiecleFile.single(MALFORMED_XML, line=_error_line(error)) from error
        self._drain(parser)
        return SiecleFile(uai=self._uai, entries=self._entries())

    def _feed(self, parser: etree.XMLPullParser, data: bytes) -> None:
        if data:
            parser.feed(data)
            self._fed += len(data)
        self._drain(parser)
        self._sweep(len(data))

    def _drain(self, parser: etree.XMLPullParser) -> None:
        for event, element in parser.read_events():
            # Both events carry elements ("start" and "end" only were asked for).
            if event == "end":
                self._on_end(cast(etree._Element, element))
            elif self._root is None:
                self._root = cast(etree._Element, element).getroottree().getroot()

    def _on_end(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == "ELEVE":
            self._read_eleve(element)
        elif tag == "STRUCTURES_ELEVE":
            self._read_structures(element)
        elif self._uai is None and _has_path(element, _UAI_PATH):
            self._uai = _clean(element.text)
        _discard(element)

    def _read_eleve(self, eleve: etree._Element) -> None:
        if not _has_path(eleve, _ELEVE_PATH):
            return
        if self._max_students is not None and len(self._rows) >= self._max_students:
            raise TooManyStudents(self._max_students)
        line = _start_line(eleve)
        fields: list[str | None] = [None] * len(ELEVE_FIELDS)
        for child in eleve:  # faster than lxml's filter on fourteen tags
            index = _FIELD_INDEX.get(child.tag)
            if index is not None and fields[index] is None:
                fields[index] = self._value(child.text)
        self._rows.append((_clean(eleve.get("ELEVE_ID")), line, fields))

    def _read_structures(self, group: etree._Element) -> None:
        eleve_id = _clean(group.get("ELEVE_ID"))
        if eleve_id is None or not _has_path(group, _STRUCTURES_PATH):
            return
        divisions = self._divisions.get(eleve_id)
        if divisions is None:
            # Each student has one group of structures: a file with more groups than the students
            # it may hold is refused like one with too many students, before they fill memory.
            if self._max_students is not None and len(self._divisions) >= self._max_students:
                raise TooManyStudents(self._max_students)
            divisions = self._divisions[eleve_id] = []
        for structure in group.iterchildren("STRUCTURE"):
            values: list[str | None] = [None, None]
            for child in structure:
                index = _STRUCTURE_FIELDS.get(child.tag)
                if index is not None and values[index] is None:
                    values[index] = _clean(child.text)
            code, kind = values
            if code is None or not _is_division(code, kind) or code in divisions:
                continue
            if len(divisions) < MAX_DIVISIONS:
                divisions.append(self._values.setdefault(code, code))
            else:
                self._dropped_divisions[eleve_id] = self._dropped_divisions.get(eleve_id, 0) + 1

    def _sweep(self, fed: int) -> None:
        """Delete the finished elements outside records; refuse a record that grows without end."""
        node = self._root
        while node is not None and len(node):
            if node.tag in _RECORD_TAGS:
                self._check_open_record(node, fed)
                return
            for _ in range(len(node) - 1):
                del node[0]  # finished, and read by now if it was to be read
            node = node[-1]
        self._open_record = None

    def _check_open_record(self, record: etree._Element, fed: int) -> None:
        if record is self._open_record:
            self._open_record_bytes += fed
        else:
            self._open_record, self._open_record_bytes = record, 0
        too_long = self._open_record_bytes > MAX_OPEN_RECORD_BYTES
        if too_long or _count_elements(record) > MAX_RECORD_ELEMENTS:
            line = cast(int | None, record.sourceline)
            raise InvalidSiecleFile.single(MALFORMED_XML, line=line, reason="record too large")

    def _value(self, text: str | None) -> str | None:
        value = _clean(text)
        return None if value is None else self._values.setdefault(value, value)

    def _entries(self) -> list[SiecleEntry]:
        """Build the entries while letting the rows go, so both never fill memory at once."""
        rows, self._rows = self._rows, []
        rows.reverse()
        entries: list[SiecleEntry] = []
        while rows:
            eleve_id, line, fields = rows.pop()
            divisions = self._divisions.get(eleve_id, ()) if eleve_id else ()
            dropped = self._dropped_divisions.get(eleve_id, 0) if eleve_id else 0
            entries.append(_entry(line, fields, tuple(divisions), dropped))
        return entries


def _start_line(element: etree._Element) -> int:
    """The line of the element's start tag, also past line 65535.

    libxml2 stores an element's line in 16 bits. Beyond, it answers with the line of the element's
    first text, counted where that text ends; the text after the start tag is the indentation of the
    first child, so its new lines are taken back. Asked while the children are still there.
    """
    line = cast(int | None, element.sourceline) or 0
    if line >= LIBXML2_LAST_ELEMENT_LINE:
        line -= (element.text or "").count("\n")
    return line


def _count_elements(record: etree._Element) -> int:
    return sum(1 for _ in record.iter())


def _entry(line: int, fields: list[str | None], divisions: tuple[str, ...], dropped: int) -> SiecleEntry:
    """``fields`` holds the values of ``ELEVE_FIELDS``, in that order."""
    return SiecleEntry(
        line=line,
        national_student_id=fields[0],
        last_name=fields[1],
        preferred_last_name=fields[2],
        first_name=fields[3],
        middle_name=fields[4],
        third_name=fields[5],
        birthdate_text=fields[6],
        birth_country_code=fields[7],
        birth_department_code=fields[8],
        birth_city_code=fields[9],
        birth_city=fields[10],
        mef_code=fields[11],
        status=fields[12],
        left_at_text=fields[13],
        divisions=divisions,
        divisions_dropped=dropped,
    )


def _is_division(code: str, kind: str | None) -> bool:
    return kind == DIVISION_TYPE and code.casefold() != INACTIVE_DIVISION


def _has_path(element: etree._Element, path: tuple[str, ...]) -> bool:
    """Whether ``element`` and its ancestors carry exactly the tags of ``path``, up to the root."""
    node: etree._Element | None = element
    for tag in path:
        if node is None or node.tag != tag:
            return False
        node = node.getparent()
    return node is None


def _discard(element: etree._Element) -> None:
    """Free an element that has been read, with the siblings before it (finished too)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def _error_line(error: etree.XMLSyntaxError) -> int | None:
    """The line of the first fatal error: lxml's own line may be that of a later, consequent one."""
    log: Iterable[etree._LogEntry] = error.error_log  # type: ignore[assignment]  # iterable; stubs lag
    for entry in log:
        if entry.level_name in {"ERROR", "FATAL"} and entry.line > 0:
            return int(entry.line)
    return error.lineno if error.lineno and error.lineno > 0 else None
