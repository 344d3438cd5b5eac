"""The rules of a CSV or JSON roster: which columns are read, and what makes a row a pupil.

A roster is what a school without SIECLE keeps (an agricultural school's FREGATA export, a
spreadsheet, an integrator's data). Only what the service uses is read: the identifier, the names,
the birth date and the class. The reader (an adapter) finds the header and the rows; this module,
pure and fast, does the rest:

1. ``map_columns`` finds each column of the layout in a CSV header, whatever the case, accents,
   surrounding spaces, trailing ``*`` or apostrophe (``'`` or ``’``), in any order. A required
   column missing refuses the file (``MISSING_COLUMN``); an unknown one is only a warning
   (``UNKNOWN_COLUMN``); the layout's columns the service does not use are read past.
2. ``check_roster`` checks every row in one pass, as SIECLE's rules do for a kept entry:
   identifier, first and last names, birth date and class are required, the identifier is unique
   in the file, a value fits what is stored. Nothing is skipped: a row that is not a pupil is an
   error, and any error means nothing is imported. A file without rows is ``NO_STUDENTS``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from domain.students.siecle import (
    DOUBLE_ENCODED_NAME,
    DOUBLE_ENCODED_PAIR,
    DUPLICATE_NATIONAL_STUDENT_ID,
    INVALID_BIRTHDATE,
    MISSING_BIRTHDATE,
    MISSING_FIRST_NAME,
    MISSING_LAST_NAME,
    MISSING_NATIONAL_STUDENT_ID,
    VALUE_TOO_LONG,
    SiecleIssue,
    SiecleReport,
    SiecleWarning,
    StudentRecord,
    looks_double_encoded,
    no_students,
    too_long,
)

SIECLE_XML: Final = "SIECLE_XML"
CSV: Final = "CSV"
JSON: Final = "JSON"
FORMATS: Final = (SIECLE_XML, CSV, JSON)

# Errors of a roster, beside those SIECLE's rules share.
MISSING_COLUMN: Final = "MISSING_COLUMN"
MISSING_DIVISION: Final = "MISSING_DIVISION"
INVALID_FIELD: Final = "INVALID_FIELD"
MALFORMED_CSV: Final = "MALFORMED_CSV"
MALFORMED_JSON: Final = "MALFORMED_JSON"
# Warning.
UNKNOWN_COLUMN: Final = "UNKNOWN_COLUMN"

ROSTER_FIELDS: Final = (
    "national_student_id",
    "first_name",
    "middle_name",
    "third_name",
    "last_name",
    "preferred_last_name",
    "birthdate",
    "division",
)
"""What a roster gives, in the order of a row's values; also the keys of a JSON entry."""
REQUIRED_FIELDS: Final = frozenset(
    {"national_student_id", "first_name", "last_name", "birthdate", "division"}
)
CSV_COLUMNS: Final = (
    # (the header as the layout writes it, the field it gives, or None: accepted, never stored)
    ("Identifiant unique*", "national_student_id"),
    ("Premier prénom*", "first_name"),
    ("Deuxième prénom", "middle_name"),
    ("Troisième prénom", "third_name"),
    ("Nom de famille*", "last_name"),
    ("Nom d’usage", "preferred_last_name"),
    ("Date de naissance (jj/mm/aaaa)*", "birthdate"),
    ("Code sexe", None),
    ("Code commune naissance", None),
    ("Libellé commune naissance", None),
    ("Code département naissance", None),
    ("Code pays naissance", None),
    ("Statut", None),
    ("Code MEF", None),
    ("Division*", "division"),
)
"""The layout of agricultural schools, in the order of the template; ``*``: required by us."""
COLUMN_OF_FIELD: Final = {name: header for header, name in CSV_COLUMNS if name is not None}
_APOSTROPHES: Final = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_BIRTHDATE_FR: Final = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_BIRTHDATE_ISO: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def normalise_header(text: str) -> str:
    """A header as compared: no accents, case, surrounding or doubled spaces, trailing ``*``, and
    one apostrophe (``Nom d’usage`` and ``NOM D'USAGE *`` are the same column)."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).replace("\ufeff", ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split()).rstrip("* ")


_KNOWN_HEADERS: Final = {normalise_header(header): name for header, name in CSV_COLUMNS}
_KNOWN_HEADERS.setdefault("date de naissance", "birthdate")


@dataclass(frozen=True)
class ColumnMap:
    """Where each field of ``ROSTER_FIELDS`` is in a CSV row (``None``: the column is absent)."""

    indexes: tuple[int | None, ...]
    missing: list[str] = field(default_factory=list)
    """The layout's headers of the required columns not found, in the layout's order."""
    unknown: list[tuple[int, str]] = field(default_factory=list)
    """(1-based position, header as written) of the columns the layout does not know."""


def map_columns(header: Sequence[str]) -> ColumnMap:
    """Find the layout's columns in a CSV header; blank header cells (a spreadsheet's trailing
    columns) are ignored, and a column given twice is read from its first place."""
    found: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for position, text in enumerate(header):
        key = normalise_header(text)
        if not key:
            continue
        if key not in _KNOWN_HEADERS:
            unknown.append((position + 1, text.strip()))
            continue
        name = _KNOWN_HEADERS[key]
        if name is not None:
            found.setdefault(name, position)
    missing = [
        COLUMN_OF_FIELD[name] for name in ROSTER_FIELDS if name in REQUIRED_FIELDS and name not in found
    ]
    return ColumnMap(tuple(found.get(name) for name in ROSTER_FIELDS), missing, unknown)


def missing_columns(columns: ColumnMap) -> list[SiecleIssue]:
    """The file-level ``MISSING_COLUMN`` errors of a header (line 1)."""
    return [SiecleIssue(code=MISSING_COLUMN, line=1, meta={"column": column}) for column in columns.missing]


def unknown_columns(columns: ColumnMap) -> list[SiecleWarning]:
    return [
        SiecleWarning(UNKNOWN_COLUMN, 1, None, {"column": text, "position": position})
        for position, text in columns.unknown
    ]


RosterRow = tuple[int, Sequence[object] | Mapping[str, object] | None]
"""A row as read: its position (the CSV line, or the JSON index) and its values, in the order of
``ROSTER_FIELDS`` (a CSV row), by those names (a JSON entry, read as is: not copying 20,000
entries matters), or ``None`` for a JSON entry that is not an object. A CSV gives text only; a
JSON entry may give anything, and a value that is neither text nor null is ``INVALID_FIELD``."""


@dataclass
class Roster:
    """What the reader found in a CSV or JSON roster."""

    format: str
    rows: list[RosterRow]
    warnings: list[SiecleWarning] = field(default_factory=list)
    entries: list[object] | None = None
    """A JSON roster's ``students`` list as parsed, each entry placed by its index (read in place
    of ``rows``: 20,000 pairs fewer to build and keep)."""

    @property
    def by_line(self) -> bool:
        """CSV rows are placed by line, JSON entries by index."""
        return self.format == CSV


def clean(value: str) -> str | None:
    """A cell's text as stored: stripped, ``None`` when blank. ``="…"`` (how a spreadsheet is told
    to keep a value as text, leading zeros included) gives what is inside."""
    value = value.strip()
    if value.startswith('="') and value.endswith('"') and len(value) >= 3:
        value = value[2:-1].strip()
    return value or None


def parse_roster_birthdate(text: str, by_line: bool, today: date) -> date | None:
    """A JSON date is ``YYYY-MM-DD``; a CSV date is ``DD/MM/YYYY`` as the layout asks, also without
    the leading zeros a spreadsheet drops, or ``YYYY-MM-DD``. ``None`` unless a real, past date."""
    match = _BIRTHDATE_FR.fullmatch(text) if by_line else None
    try:
        if match is not None:
            day, month, year = match.groups()
            birthdate = date(int(year), int(month), int(day))
        elif _BIRTHDATE_ISO.fullmatch(text) is not None:
            # Only the form just matched reaches C's parser, several times faster than three ints
            # (a JSON roster parses each distinct date: a few thousand).
            birthdate = date.fromisoformat(text)
        else:
            return None
    except ValueError:
        return None
    return birthdate if birthdate <= today else None


def check_roster(roster: Roster, today: date) -> SiecleReport:
    """Apply the roster rules to every row; the report's records are the rows to upsert."""
    report = SiecleReport(warnings=list(roster.warnings))
    by_line = roster.by_line
    first_positions: dict[str, int] = {}
    dates: dict[str, date | None] = {}
    records = report.records
    suspects: list[StudentRecord] = []
    if roster.entries is not None:
        _check_entries(roster.entries, today, first_positions, dates, suspects, report)
    else:
        for position, values in roster.rows:
            record = _record(position, values, by_line, today, first_positions, dates, suspects)
            if record is None:
                record = _check_row(position, values, by_line, today, first_positions, report)
                if record is None:
                    continue
                suspects.append(record)
            records.append(record)
    for record in suspects:  # names that may look double-encoded (a quick look: most do not)
        report.warnings.extend(_double_encoded(record, by_line))
    if not roster.rows and not roster.entries and not report.errors:
        report.errors.append(no_students([]))
    return report


_UNSEEN: Final = date.min
_FIELD_COUNT: Final = len(ROSTER_FIELDS)
_new_tuple: Final = tuple.__new__
"""Builds a ``StudentRecord`` from its sixteen fields without the named tuple's own ``__new__``
(keyword handling, defaults): several times faster, and the fields are written out just below."""


def _record(
    position: int,
    values: Sequence[object] | Mapping[str, object] | None,
    by_line: bool,
    today: date,
    first_positions: dict[str, int],
    dates: dict[str, date | None],
    suspects: list[StudentRecord],
) -> StudentRecord | None:
    """The fast path, for a row with nothing to say about it: its record, else ``None`` (the row is
    then checked field by field, a text to unwrap included). An import builds one per pupil, so
    the checks are written out, dates parsed once per distinct text and the record built from
    positions."""
    # Any: what a JSON entry holds is only known by trying (a value without ``strip`` is no text).
    national_id: Any
    first: Any
    middle: Any
    third: Any
    last: Any
    preferred: Any
    birth: Any
    division: Any
    if type(values) is dict:
        try:  # a required field missing is told by the slow path
            national_id, first, last = (
                values["national_student_id"],
                values["first_name"],
                values["last_name"],
            )
            birth, division = values["birthdate"], values["division"]
        except KeyError:
            return None
        get = values.get
        middle, third, preferred = get("middle_name"), get("third_name"), get("preferred_last_name")
    elif values is not None and len(values) == _FIELD_COUNT:
        national_id, first, middle, third, last, preferred, birth, division = values
    else:
        return None
    try:
        national_id = national_id.strip().upper()
        first = first.strip()
        last = last.strip()
        division = division.strip()
        birth = birth.strip()
        middle = (middle.strip() or None) if middle is not None else None
        third = (third.strip() or None) if third is not None else None
        preferred = (preferred.strip() or None) if preferred is not None else None
    except AttributeError:  # a JSON value that is not text
        return None
    # Past ``strip``, each is text: a CSV gives only text, and JSON no other value with ``strip``.
    if not (
        national_id and first and last and division
        and national_id not in first_positions
        and len(national_id) <= 20 and len(first) <= 255 and len(last) <= 255 and len(division) <= 64
        and national_id[0] != "=" and first[0] != "=" and last[0] != "=" and division[0] != "="
    ):  # fmt: skip
        return None
    if middle is not None or third is not None or preferred is not None:
        for name in (middle, third, preferred):
            if name is not None and (len(name) > 255 or name[0] == "="):
                return None
    birthdate = dates.get(birth, _UNSEEN)
    if birthdate is _UNSEEN:
        birthdate = dates[birth] = parse_roster_birthdate(birth, by_line, today)
    if birthdate is None:
        return None
    first_positions[national_id] = position
    # The fields in ``StudentRecord``'s order; what a roster does not give (birth place, MEF, status)
    # is None.
    record: StudentRecord = _new_tuple(
        StudentRecord,
        (
            position if by_line else None, national_id, last, preferred, first, middle, third,
            birthdate, None, None, None, None, None, None, division, None if by_line else position,
        ),
    )  # fmt: skip
    names = last + first
    if middle is not None or third is not None or preferred is not None:
        names += (middle or "") + (third or "") + (preferred or "")
    if not names.isascii() and DOUBLE_ENCODED_PAIR.search(names) is not None:
        suspects.append(record)  # a false alarm across two names is cleared by the full look
    return record


def _check_entries(
    entries: list[object],
    today: date,
    first_positions: dict[str, int],
    dates: dict[str, date | None],
    suspects: list[StudentRecord],
    report: SiecleReport,
) -> None:
    """A JSON roster's entries checked in this one loop, with no call, generator or row per entry:
    the parse is C, so this Python work is what the import costs beyond it.

    An entry is taken here only when it surely has nothing to say: an object whose values are text
    (past ``strip``), none blank or too long, none holding a ``=`` (which ``clean`` might unwrap),
    a new identifier and a valid date. Any other entry, a non-object one included, goes to
    ``_check_row``, which gives the same record or its errors: this is only a shortcut."""
    records = report.records
    search = DOUBLE_ENCODED_PAIR.search
    # Any: what an entry holds is only known by trying (a value without ``strip`` is no text).
    middle: Any
    third: Any
    preferred: Any
    for index, entry in enumerate(entries):
        if type(entry) is dict:
            try:
                national_id = entry["national_student_id"].strip()
                first = entry["first_name"].strip()
                last = entry["last_name"].strip()
                birth = entry["birthdate"].strip()
                division = entry["division"].strip()
                names = last + first
                if len(entry) == 5:  # the required fields, nothing else
                    middle = third = preferred = None
                else:
                    middle = entry.get("middle_name")
                    if middle is not None:
                        middle = middle.strip() or None
                        if middle is not None:
                            names += middle
                    third = entry.get("third_name")
                    if third is not None:
                        third = third.strip() or None
                        if third is not None:
                            names += third
                    preferred = entry.get("preferred_last_name")
                    if preferred is not None:
                        preferred = preferred.strip() or None
                        if preferred is not None:
                            names += preferred
            except (KeyError, AttributeError):  # a required field missing, a value not text
                pass
            else:
                # The names, each at most 255, are checked at once: so is a ``=`` anywhere in them.
                if (
                    national_id and first and last and division
                    and len(national_id) <= 20 and len(division) <= 64 and len(names) <= 255
                    and national_id[0] != "=" and division[0] != "=" and "=" not in names
                ):  # fmt: skip
                    birthdate = dates.get(birth, _UNSEEN)
                    if birthdate is _UNSEEN:
                        birthdate = dates[birth] = parse_roster_birthdate(birth, False, today)
                    national_id = national_id.upper()
                    if birthdate is not None and national_id not in first_positions:
                        first_positions[national_id] = index
                        # ``StudentRecord``'s fields in order, as in ``_record``.
                        record: StudentRecord = _new_tuple(
                            StudentRecord,
                            (
                                None, national_id, last, preferred, first, middle, third,
                                birthdate, None, None, None, None, None, None, division, index,
                            ),
                        )  # fmt: skip
                        records.append(record)
                        if not names.isascii() and search(names) is not None:
                            suspects.append(record)
                        continue
        checked = _check_row(
            index, entry if type(entry) is dict else None, False, today, first_positions, report
        )
        if checked is not None:
            records.append(checked)
            suspects.append(checked)


def _check_row(
    position: int,
    row: Sequence[object] | Mapping[str, object] | None,
    by_line: bool,
    today: date,
    first_positions: dict[str, int],
    report: SiecleReport,
) -> StudentRecord | None:
    """A row the fast path let go, field by field: its record, or every error it holds (a JSON
    entry that is no object is one error)."""
    where: dict[str, object] = {} if by_line else {"index": position}
    line = position if by_line else None
    values = tuple(map(row.get, ROSTER_FIELDS)) if isinstance(row, Mapping) else row
    if values is None or len(values) != len(ROSTER_FIELDS):
        report.errors.append(SiecleIssue(code=INVALID_FIELD, line=line, meta={**where, "expected": "object"}))
        return None
    texts: dict[str, str | None] = {}
    invalid: list[str] = []
    for name, value in zip(ROSTER_FIELDS, values, strict=True):
        if value is None or isinstance(value, str):
            texts[name] = None if value is None else clean(value)
        else:
            texts[name] = None
            invalid.append(name)
    national_id = texts["national_student_id"]
    national_id = national_id.upper() if national_id is not None else None

    def issue(code: str, field_name: str | None, **meta: object) -> SiecleIssue:
        return SiecleIssue(
            code=code,
            line=line,
            national_student_id=national_id,
            field=field_name,
            last_name=texts["last_name"],
            first_name=texts["first_name"],
            meta={**where, **meta},
        )

    issues = [issue(INVALID_FIELD, name, expected="string") for name in invalid]
    if national_id is None:
        if "national_student_id" not in invalid:
            issues.append(issue(MISSING_NATIONAL_STUDENT_ID, "national_student_id"))
    elif national_id in first_positions:
        first = first_positions[national_id]
        issues.append(
            issue(DUPLICATE_NATIONAL_STUDENT_ID, "national_student_id", **_first_place(first, by_line))
        )
    else:
        first_positions[national_id] = position
    for name, code in ((("first_name", MISSING_FIRST_NAME)), ("last_name", MISSING_LAST_NAME)):
        if texts[name] is None and name not in invalid:
            issues.append(issue(code, name))
    issues.extend(_birthdate_issues(values[6], texts["birthdate"], by_line, today, invalid, issue))
    if texts["division"] is None and "division" not in invalid:
        issues.append(issue(MISSING_DIVISION, "division"))
    issues.extend(
        issue(VALUE_TOO_LONG, name, limit=limit, length=length) for name, limit, length in too_long(texts)
    )
    if issues:
        report.errors.extend(issues)
        return None
    return _valid_record(position, by_line, texts, today)


def _valid_record(position: int, by_line: bool, texts: dict[str, str | None], today: date) -> StudentRecord:
    """The record of a row without error (every required text present, the birth date valid)."""
    birthdate = parse_roster_birthdate(texts["birthdate"] or "", by_line, today)
    assert birthdate is not None  # checked
    return StudentRecord(
        line=position if by_line else None,
        national_student_id=(texts["national_student_id"] or "").upper(),
        last_name=texts["last_name"] or "",
        preferred_last_name=texts["preferred_last_name"],
        first_name=texts["first_name"] or "",
        middle_name=texts["middle_name"],
        third_name=texts["third_name"],
        birthdate=birthdate,
        birth_country_code=None,
        birth_department_code=None,
        birth_city_code=None,
        birth_city=None,
        mef_code=None,
        status=None,
        division=texts["division"] or "",
        json_index=None if by_line else position,
    )


def _birthdate_issues(
    raw: object,
    text: str | None,
    by_line: bool,
    today: date,
    invalid: list[str],
    issue: Callable[..., SiecleIssue],
) -> Iterable[SiecleIssue]:
    if "birthdate" in invalid:
        return
    if text is None:
        yield issue(MISSING_BIRTHDATE, "birthdate")
    elif parse_roster_birthdate(text, by_line, today) is None:
        yield issue(INVALID_BIRTHDATE, "birthdate", value=str(raw).strip())


def _first_place(first: int, by_line: bool) -> dict[str, int]:
    return {"first_line": first} if by_line else {"first_index": first}


def _double_encoded(record: StudentRecord, by_line: bool) -> list[SiecleWarning]:
    names = ("last_name", "preferred_last_name", "first_name", "middle_name", "third_name")
    fields = [name for name in names if _looks_double_encoded(getattr(record, name))]
    if not fields:
        return []
    meta: dict[str, object] = {
        "last_name": record.last_name,
        "first_name": record.first_name,
        "fields": fields,
    }
    if not by_line:
        meta["index"] = record.json_index
    return [SiecleWarning(DOUBLE_ENCODED_NAME, record.line, record.national_student_id, meta)]


def _looks_double_encoded(value: str | None) -> bool:
    return value is not None and looks_double_encoded(value)
