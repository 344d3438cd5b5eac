"""Reads a CSV roster as spreadsheets save it, with the standard library's ``csv`` module.

What a school uploads is a sheet re-saved by Excel or LibreOffice: UTF-8 with or without a byte
order mark, or Windows-1252 (ISO-8859-15 for the few files that use it); ``;`` (a French
spreadsheet) or ``,``; CRLF or LF; quoted fields holding separators, quotes or line breaks; blank
trailing rows and columns. The separator is the one of ``;`` and ``,`` the header line holds more
of. Every line is bounded (``MAX_LINE_CHARS``), so is the number of columns and of rows: a hostile
file costs no more memory than a real one of the same size.

Synchronous and CPU-bound: callers on an event loop run it in a worker thread.
"""

from __future__ import annotations

import csv
import io
import re
from operator import itemgetter
from typing import Final

from domain.students.errors import InvalidStudentFile, TooManyStudents
from domain.students.roster import (
    CSV,
    MALFORMED_CSV,
    Roster,
    RosterRow,
    map_columns,
    missing_columns,
    unknown_columns,
)
from domain.students.siecle import INVALID_ENCODING

UTF8_BOM: Final = b"\xef\xbb\xbf"
MAX_LINE_CHARS: Final = 64 * 1024
"""A real row is a few hundred characters; a line beyond this is no roster row."""
MAX_COLUMNS: Final = 200
"""The layout has fifteen columns; a spreadsheet may add a few of its own."""
CP1252_ONLY: Final = re.compile(rb"[\x80-\x9f]")
"""Bytes that are letters (``Œ``, ``€``, ``’``…) in Windows-1252 and control characters in ISO-8859-15."""
LINES_PER_ROW: Final = 4
"""Lines a row may span (line breaks in quoted cells), blank lines included, on average."""
ISO_8859_15_ONLY: Final = re.compile(rb"[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe]")
"""Bytes that are letters in ISO-8859-15 (``€ Š š Ž ž Œ œ Ÿ``) and symbols in Windows-1252."""


def read_csv_roster(data: bytes, *, max_students: int | None = None) -> Roster:
    """Read a CSV roster: the header (line 1) and every row not blank, each with its line.

    Raises ``InvalidStudentFile`` with ``INVALID_ENCODING`` (neither UTF-8 nor Windows-1252),
    ``MALFORMED_CSV`` (an unclosed quote, a line or a header too long) or the ``MISSING_COLUMN``
    items of the header, and ``TooManyStudents`` past ``max_students`` rows.
    """
    try:
        return _read_csv_roster(data, max_students)
    except InvalidStudentFile as error:
        error.file_format = CSV
        raise


def _read_csv_roster(data: bytes, max_students: int | None) -> Roster:
    text = decode_csv(data)
    if "\n" not in text:
        text = text.replace("\r", "\n")  # a spreadsheet of old that ends lines with CR only
    _check_lines(text, max_students)
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    try:
        header = next(reader, [])
        if len(header) > MAX_COLUMNS:
            raise _malformed(1, "too many columns", limit=MAX_COLUMNS)
        columns = map_columns(header)
        if columns.missing:
            raise InvalidStudentFile(missing_columns(columns))
        width = len(header)
        # Absent optional columns read the blank cell appended to each row.
        getter = itemgetter(*(index if index is not None else -1 for index in columns.indexes))
        rows: list[RosterRow] = []
        end = reader.line_num
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(cells):
                continue  # a blank row (";;;;" or an empty line), as spreadsheets leave at the end
            if max_students is not None and len(rows) >= max_students:
                raise TooManyStudents(max_students)
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            cells.append("")
            rows.append((start, getter(cells)))
    except csv.Error as error:
        raise _malformed(reader.line_num, str(error)) from error
    return Roster(format=CSV, rows=rows, warnings=unknown_columns(columns))


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, or ISO-8859-15 when
    the bytes say so (only its letters, no Windows-1252 one)."""
    if data.startswith(UTF8_BOM):
        return _decode(data[len(UTF8_BOM) :], "utf-8", "UTF-8", offset=len(UTF8_BOM), whole=data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if CP1252_ONLY.search(data) is None and ISO_8859_15_ONLY.search(data) is not None:
        return data.decode("iso-8859-15")  # every byte is a character of ISO-8859-15
    return _decode(data, "cp1252", "UTF-8 / Windows-1252", offset=0, whole=data)


def _decode(data: bytes, codec: str, label: str, *, offset: int, whole: bytes) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = whole.count(b"\n", 0, offset + error.start) + 1
        raise InvalidStudentFile.single(INVALID_ENCODING, line=line, encoding=label) from error


def _check_lines(text: str, max_students: int | None) -> None:
    """Refuse a text of far more lines than rows allowed, or with a line too long, before ``csv``
    builds a row of it (a line of a million separators is a million cells). Both are counted at C
    speed: the number of lines first, which bounds what splitting the text then costs."""
    if max_students is not None and text.count("\n") > (max_students + 1) * LINES_PER_ROW:
        raise _malformed(max_students * LINES_PER_ROW, "too many lines", limit=max_students * LINES_PER_ROW)
    lengths = list(map(len, text.split("\n")))
    if max(lengths) > MAX_LINE_CHARS:
        line = next(number for number, length in enumerate(lengths, 1) if length > MAX_LINE_CHARS)
        raise _malformed(line, "line too long", limit=MAX_LINE_CHARS)


def _malformed(line: int, reason: str, **meta: int) -> InvalidStudentFile:
    return InvalidStudentFile.single(MALFORMED_CSV, line=line, reason=reason, **meta)
