"""What an uploaded list of pupils is, told from its first bytes (never its name), and its reading.

A zip or an XML document is a SIECLE export (``infrastructure/siecle/reader.py``); a text that
opens with ``{`` is a JSON roster; any other text is a CSV roster. Bytes no text holds (NUL and
other control characters) or the signature of a known binary format (PDF, an old ``.xls``, images,
archives) are refused as an unsupported file type, as is an empty upload; so is a spreadsheet's own
format (xlsx, ods: zips), found when the zip is opened.

Synchronous and CPU-bound: callers on an event loop run it in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import BinaryIO, Final

from domain.students.errors import UnsupportedFileType
from domain.students.roster import Roster
from domain.students.siecle import SiecleFile
from infrastructure.rosters.csv_reader import read_csv_roster
from infrastructure.rosters.json_reader import read_json_roster
from infrastructure.siecle.reader import (
    SNIFF_SIZE,
    UTF8_BOM,
    ZIP_SIGNATURES,
    looks_like_xml,
    read_siecle_upload,
    seekable_upload,
)

BINARY_SIGNATURES: Final = (
    b"%PDF",
    b"\xd0\xcf\x11\xe0",  # OLE2: .xls, .doc
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
)
CONTROL_BYTES: Final = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""No text file holds these (tab, line feed and carriage return are not among them)."""
TEXT_WHITESPACE: Final = b" \t\r\n"
BINARY_SNIFF_SIZE: Final = 64 * 1024
"""Control characters are looked for at the start (a binary file has some in its first bytes), NUL
everywhere (a quick scan): a text with a stray control character further on is read as text."""


def read_student_upload(
    stream: BinaryIO,
    *,
    max_upload_bytes: int,
    max_xml_bytes: int,
    max_students: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SiecleFile | Roster:
    """Read an upload of pupils, whatever its format: a ``SiecleFile`` or a ``Roster``.

    Raises what ``read_siecle_upload``, ``read_csv_roster`` and ``read_json_roster`` raise, and
    ``UnsupportedFileType`` for a binary or empty upload.
    """
    upload, start, size = seekable_upload(stream, max_upload_bytes)
    try:
        head = upload.read(SNIFF_SIZE)
        upload.seek(start)
        if head.startswith(ZIP_SIGNATURES) or looks_like_xml(head):
            return read_siecle_upload(
                upload,
                max_upload_bytes=max_upload_bytes,
                max_xml_bytes=max_xml_bytes,
                max_students=max_students,
                progress=progress,
            )
        text_head = head.removeprefix(UTF8_BOM).lstrip(TEXT_WHITESPACE)
        if not text_head or head.startswith(BINARY_SIGNATURES):
            raise UnsupportedFileType()
        data = upload.read(size)
        if CONTROL_BYTES.search(data, 0, BINARY_SNIFF_SIZE) is not None or b"\x00" in data:
            raise UnsupportedFileType()
        if progress is not None:
            progress(size)
        if text_head.startswith(b"{"):
            return read_json_roster(data, max_students=max_students)
        return read_csv_roster(data, max_students=max_students)
    finally:
        if upload is not stream:
            upload.close()  # the spooled copy of a stream that could not seek
