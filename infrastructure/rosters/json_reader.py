"""Reads a JSON roster: ``{"students": [{national_student_id, first_name, …}, …]}``.

The standard library's ``json`` parses the whole document at C speed, so what it may build is
bounded first: the upload's size is capped, and a cheap count of the bytes that open an object or a
list, and of the commas that separate values, refuses a document that would build far more Python
objects than a roster of ``max_students`` pupils (a million empty lists fit in a few megabytes).
Unknown keys are ignored; a value of the wrong type is an error of its entry, found by the checks.

Synchronous and CPU-bound: callers on an event loop run it in a worker thread.
"""

from __future__ import annotations

import json
from typing import Any, Final

from domain.students.errors import InvalidStudentFile, TooManyStudents
from domain.students.roster import INVALID_FIELD, JSON, MALFORMED_JSON, Roster
from domain.students.siecle import INVALID_ENCODING

UTF8_BOM: Final = b"\xef\xbb\xbf"
CONTAINERS_PER_STUDENT: Final = 2
"""A pupil is one object; the slack covers the document's own object and list."""
VALUES_PER_STUDENT: Final = 64
"""Commas per pupil: eight fields and room for many unknown ones."""
SLACK: Final = 16


def read_json_roster(data: bytes, *, max_students: int | None = None) -> Roster:
    """Read a JSON roster into rows of ``ROSTER_FIELDS`` values, each placed by its 0-based index.

    Raises ``InvalidStudentFile`` with ``INVALID_ENCODING`` (not UTF-8), ``MALFORMED_JSON`` (not
    JSON, or far more values than a roster holds) or ``INVALID_FIELD`` (no ``students`` list), and
    ``TooManyStudents`` past ``max_students`` entries.
    """
    try:
        return _read_json_roster(data, max_students)
    except InvalidStudentFile as error:
        error.file_format = JSON
        raise


def _read_json_roster(data: bytes, max_students: int | None) -> Roster:
    if max_students is not None:
        _check_size(data, max_students)
    try:
        text = data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InvalidStudentFile.single(INVALID_ENCODING, line=line, encoding="UTF-8") from error
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidStudentFile.single(
            MALFORMED_JSON, line=error.lineno, column=error.colno, reason=error.msg
        ) from error
    except (ValueError, RecursionError) as error:  # an integer of more than 4,300 digits; deep nesting
        raise InvalidStudentFile.single(MALFORMED_JSON, reason=type(error).__name__) from error
    students = document.get("students") if isinstance(document, dict) else None
    if not isinstance(students, list):
        raise InvalidStudentFile.single(INVALID_FIELD, field="students", expected="list")
    if max_students is not None and len(students) > max_students:
        raise TooManyStudents(max_students)
    # The entries as they are: the checks read an object's fields by name.
    return Roster(format=JSON, rows=[], entries=students)


_NOT_COUNTED: Final = bytes(byte for byte in range(256) if byte not in b"{[,")


def _check_size(data: bytes, max_students: int) -> None:
    counted = data.translate(None, _NOT_COUNTED)  # one pass that keeps only "{", "[" and ","
    values = counted.count(b",")
    containers = len(counted) - values
    if (
        containers > max_students * CONTAINERS_PER_STUDENT + SLACK
        or values > max_students * VALUES_PER_STUDENT + SLACK
    ):
        raise InvalidStudentFile.single(MALFORMED_JSON, reason="too many values for a roster")
