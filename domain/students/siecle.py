"""The SIECLE import rules: which entries of an export are kept, skipped, refused or warned about.

The SIECLE import rules. The reader (an adapter) turns the uploaded file into
a ``SiecleFile``: one ``SiecleEntry`` per ``<ELEVE>``, values as written. ``check_siecle_file`` then:

1. refuses the whole file when its UAI is missing or is not the organization's (``UAI_MISMATCH``);
2. skips, in this order, leavers (``LEFT_SCHOOL``), entries without INE
   (``MISSING_NATIONAL_STUDENT_ID``) and entries without a class (``NO_DIVISION``); a skipped entry is
   neither validated nor checked for duplicates;
3. collects every error of the kept entries in one pass (duplicate INE, missing names, missing or
   invalid birthdate, a text longer than the service stores); any error means nothing is imported;
4. refuses a file where nothing is kept (``NO_STUDENTS``) when nothing else is wrong, saying how
   many entries were skipped for each reason met;
5. warns about French-born students without birth city code, students in several classes (the
   first is taken) and names that look double-encoded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any, Final, NamedTuple

FRANCE_COUNTRY_CODE: Final = "100"
INACTIVE_DIVISION: Final = "inactifs"
"""SIECLE's pseudo-class of students no longer taught; compared case-insensitively."""

_BIRTHDATE_PATTERN: Final = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_DOUBLE_ENCODING_SOURCES: Final = ("latin-1", "iso-8859-15", "cp1252")
SIECLE_CHARSET: Final = "iso-8859-15"
_CONTINUATIONS: Final = "".join(
    sorted(
        {
            char
            for charset in _DOUBLE_ENCODING_SOURCES
            for char in bytes(range(0x80, 0xC0)).decode(charset, "ignore")
        }
    )
)
DOUBLE_ENCODED_PAIR: Final = re.compile(f"[\u00c2-\u00f4][{re.escape(_CONTINUATIONS)}]")
"""What any UTF-8 text decoded in one of those charsets holds: a lead byte's character (``Ã``…)
followed by a continuation byte's (``©``…). A quick search rules out almost every genuine name."""

# Skip reasons.
LEFT_SCHOOL: Final = "LEFT_SCHOOL"
MISSING_NATIONAL_STUDENT_ID: Final = "MISSING_NATIONAL_STUDENT_ID"
NO_DIVISION: Final = "NO_DIVISION"
SKIP_REASONS: Final = (LEFT_SCHOOL, MISSING_NATIONAL_STUDENT_ID, NO_DIVISION)
"""In the order the rules try them: an entry is skipped for the first that holds."""
# Errors.
UAI_MISMATCH: Final = "UAI_MISMATCH"
DUPLICATE_NATIONAL_STUDENT_ID: Final = "DUPLICATE_NATIONAL_STUDENT_ID"
MISSING_FIRST_NAME: Final = "MISSING_FIRST_NAME"
MISSING_LAST_NAME: Final = "MISSING_LAST_NAME"
MISSING_BIRTHDATE: Final = "MISSING_BIRTHDATE"
INVALID_BIRTHDATE: Final = "INVALID_BIRTHDATE"
VALUE_TOO_LONG: Final = "VALUE_TOO_LONG"
NO_STUDENTS: Final = "NO_STUDENTS"
# File-level errors found by the reader.
INVALID_ENCODING: Final = "INVALID_ENCODING"
INVALID_ZIP: Final = "INVALID_ZIP"
MALFORMED_XML: Final = "MALFORMED_XML"
FORBIDDEN_XML_CONSTRUCT: Final = "FORBIDDEN_XML_CONSTRUCT"
# Warnings.
BIRTH_CITY_CODE_MISSING: Final = "BIRTH_CITY_CODE_MISSING"
SEVERAL_DIVISIONS: Final = "SEVERAL_DIVISIONS"
DOUBLE_ENCODED_NAME: Final = "DOUBLE_ENCODED_NAME"

MAX_LENGTHS: Final = {
    "national_student_id": 20,
    "first_name": 255,
    "middle_name": 255,
    "third_name": 255,
    "last_name": 255,
    "preferred_last_name": 255,
    "division": 64,
}
"""What the service stores of each text (the widths of the students table): a longer one is refused
(``VALUE_TOO_LONG``), never cut."""


def too_long(texts: Mapping[str, str | None]) -> Iterator[tuple[str, int, int]]:
    """The fields of ``MAX_LENGTHS`` whose text in ``texts`` is longer than the service stores:
    ``(field, limit, length)``, in the order of ``MAX_LENGTHS``."""
    for name, limit in MAX_LENGTHS.items():
        text = texts[name]
        if text is not None and len(text) > limit:
            yield name, limit, len(text)


MAX_REPORT_ITEMS: Final = 1000
"""A report lists at most this many items of each kind (errors, skipped entries, warnings), with
the total of each: enough to fix a real export, and an answer of bounded size whatever the file."""

MAX_DIVISIONS_LISTED: Final = 20
"""Classes a ``SEVERAL_DIVISIONS`` warning lists; ``divisions_omitted`` counts the others."""

NAME_FIELDS: Final = ("last_name", "preferred_last_name", "first_name", "middle_name", "third_name")


@dataclass(frozen=True, slots=True)
class SiecleEntry:
    """One ``<ELEVE>`` as read: stripped text, ``None`` for a field absent or empty."""

    line: int
    national_student_id: str | None = None
    last_name: str | None = None
    preferred_last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    third_name: str | None = None
    birthdate_text: str | None = None
    birth_country_code: str | None = None
    birth_department_code: str | None = None
    birth_city_code: str | None = None
    birth_city: str | None = None
    mef_code: str | None = None
    status: str | None = None
    left_at_text: str | None = None
    divisions: tuple[str, ...] = ()
    """``CODE_STRUCTURE`` of the student's ``D`` structures other than ``Inactifs``, in file order.

    Empty covers the three ``NO_DIVISION`` cases alike (no ``STRUCTURES_ELEVE``, groups only,
    ``Inactifs`` only): the rule does not tell them apart. Distinct, and at most a few (the reader's
    bound): ``divisions_dropped`` counts the student's class structures of the file not kept (a
    class repeated counts each time).
    """
    divisions_dropped: int = 0


@dataclass(frozen=True)
class SiecleFile:
    """What the reader found in an upload: the school's UAI (``PARAMETRES/UAJ``) and the entries."""

    uai: str | None
    entries: list[SiecleEntry]


class StudentRecord(NamedTuple):
    """A kept, valid entry, ready to be upserted.

    A named tuple: an import builds one per pupil, and a tuple is built several times faster than
    a dataclass (a frozen one sets each field through ``object.__setattr__``). ``line`` is the
    entry's line in the file (SIECLE, CSV); a JSON roster gives ``json_index`` instead, the entry's
    0-based position."""

    line: int | None
    national_student_id: str
    last_name: str
    preferred_last_name: str | None
    first_name: str
    middle_name: str | None
    third_name: str | None
    birthdate: date
    birth_country_code: str | None
    birth_department_code: str | None
    birth_city_code: str | None
    birth_city: str | None
    mef_code: str | None
    status: str | None
    division: str
    json_index: int | None = None


@dataclass(frozen=True)
class SiecleIssue:
    """An error item of ``INVALID_SIECLE_FILE``. File-level items have no line (but MALFORMED_XML)."""

    code: str
    line: int | None = None
    national_student_id: str | None = None
    field: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class SkippedEntry:
    line: int
    national_student_id: str | None
    last_name: str | None
    first_name: str | None
    reason: str


@dataclass(frozen=True)
class SiecleWarning:
    code: str
    line: int | None
    national_student_id: str | None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass
class SiecleReport:
    records: list[StudentRecord] = dataclasses.field(default_factory=list)
    skipped: list[SkippedEntry] = dataclasses.field(default_factory=list)
    warnings: list[SiecleWarning] = dataclasses.field(default_factory=list)
    errors: list[SiecleIssue] = dataclasses.field(default_factory=list)


def check_siecle_file(file: SiecleFile, organization_uai: str, today: date) -> SiecleReport:
    """Apply the SIECLE import rules to a file read for the organization of ``organization_uai``."""
    report = SiecleReport()
    if not _same_uai(file.uai, organization_uai):
        report.errors.append(
            SiecleIssue(code=UAI_MISMATCH, meta={"file_uai": file.uai, "expected_uai": organization_uai})
        )
        return report
    first_lines: dict[str, int] = {}
    for entry in file.entries:
        reason = skip_reason(entry)
        if reason is None:
            _check_kept_entry(entry, today, first_lines, report)
        else:
            report.skipped.append(_skipped(entry, reason))
    if not first_lines and not report.errors:
        report.errors.append(no_students(report.skipped))
    return report


def no_students(skipped: list[SkippedEntry]) -> SiecleIssue:
    """``NO_STUDENTS``, with what was found instead: how many entries were skipped and, for each
    reason actually met, how many (in the order of the rules), so that its sentence names the real
    causes. The skipped entries themselves go with the refusal (``InvalidSiecleFile.skipped``)."""
    reasons: dict[str, int] = {}
    for entry in skipped:
        reasons[entry.reason] = reasons.get(entry.reason, 0) + 1
    ordered = {reason: reasons[reason] for reason in SKIP_REASONS if reason in reasons}
    return SiecleIssue(code=NO_STUDENTS, meta={"skipped_total": len(skipped), "reasons": ordered})


def skip_reason(entry: SiecleEntry) -> str | None:
    """Why the entry is not imported at all, or ``None`` when it is kept (first rule wins)."""
    if entry.left_at_text is not None:
        return LEFT_SCHOOL
    if entry.national_student_id is None:
        return MISSING_NATIONAL_STUDENT_ID
    if not entry.divisions:
        return NO_DIVISION
    return None


def parse_birthdate(text: str, today: date) -> date | None:
    """The date of a strict ``DD/MM/YYYY`` text, or ``None`` when it is not a real, past date."""
    match = _BIRTHDATE_PATTERN.fullmatch(text)
    if match is None:
        return None
    day, month, year = map(int, match.groups())
    try:
        birthdate = date(year, month, day)
    except ValueError:
        return None
    return birthdate if birthdate <= today else None


def looks_double_encoded(text: str) -> bool:
    """Whether ``text`` reads like UTF-8 bytes decoded as Latin-1 (``Ã©`` for ``é``).

    Re-encoding such text in the single-byte charset and decoding it as UTF-8 gives back a different
    text with accented letters, which SIECLE could have written (it writes ISO-8859-15). Genuine
    names do not pass: UTF-8 needs an accented capital (``Ã``, ``Å``…) followed by a symbol or a
    control character, and the few letter pairs that decode (``ÉŒ``) give characters SIECLE cannot
    write.
    """
    if text.isascii() or DOUBLE_ENCODED_PAIR.search(text) is None:
        return False
    for charset in _DOUBLE_ENCODING_SOURCES:
        try:
            repaired = text.encode(charset).decode("utf-8")
            repaired.encode(SIECLE_CHARSET)
        except UnicodeError:
            continue
        if repaired != text and any(char.isalpha() and not char.isascii() for char in repaired):
            return True
    return False


def _same_uai(file_uai: str | None, organization_uai: str) -> bool:
    return file_uai is not None and file_uai.strip().upper() == organization_uai.strip().upper()


def _skipped(entry: SiecleEntry, reason: str) -> SkippedEntry:
    return SkippedEntry(
        line=entry.line,
        national_student_id=_upper(entry.national_student_id),
        last_name=entry.last_name,
        first_name=entry.first_name,
        reason=reason,
    )


def _check_kept_entry(
    entry: SiecleEntry, today: date, first_lines: dict[str, int], report: SiecleReport
) -> None:
    """Validate a kept entry; ``first_lines`` maps each kept INE (upper-case) to its first line."""
    national_student_id = (entry.national_student_id or "").upper()
    issues: list[SiecleIssue] = []
    if national_student_id in first_lines:
        first_line = first_lines[national_student_id]
        issues.append(
            _issue(entry, DUPLICATE_NATIONAL_STUDENT_ID, "national_student_id", first_line=first_line)
        )
    else:
        first_lines[national_student_id] = entry.line
    if entry.first_name is None:
        issues.append(_issue(entry, MISSING_FIRST_NAME, "first_name"))
    if entry.last_name is None:
        issues.append(_issue(entry, MISSING_LAST_NAME, "last_name"))
    birthdate = _checked_birthdate(entry, today, issues)
    joined_names = " ".join(filter(None, _NAMES(entry)))
    if _may_be_too_long(entry, joined_names):
        issues.extend(
            _issue(entry, VALUE_TOO_LONG, name, limit=limit, length=length)
            for name, limit, length in too_long(_stored_texts(entry))
        )
    _add_warnings(entry, joined_names, report.warnings)
    report.errors.extend(issues)
    record = _record(entry, national_student_id, birthdate)
    if record is not None and not issues:
        report.records.append(record)


_NAME_LIMIT: Final = min(MAX_LENGTHS[name] for name in NAME_FIELDS)


def _may_be_too_long(entry: SiecleEntry, joined_names: str) -> bool:
    """Whether a text of the entry may be longer than stored: the names joined are at least as long
    as the longest, so the entries of a real export (all of them) are let through in three
    comparisons instead of seven lengths looked up by name."""
    division = entry.divisions[0] if entry.divisions else ""
    return (
        len(joined_names) > _NAME_LIMIT
        or len(entry.national_student_id or "") > MAX_LENGTHS["national_student_id"]
        or len(division) > MAX_LENGTHS["division"]
    )


def _stored_texts(entry: SiecleEntry) -> dict[str, str | None]:
    return {
        "national_student_id": entry.national_student_id,
        "first_name": entry.first_name,
        "middle_name": entry.middle_name,
        "third_name": entry.third_name,
        "last_name": entry.last_name,
        "preferred_last_name": entry.preferred_last_name,
        "division": entry.divisions[0] if entry.divisions else None,
    }


def _checked_birthdate(entry: SiecleEntry, today: date, issues: list[SiecleIssue]) -> date | None:
    if entry.birthdate_text is None:
        issues.append(_issue(entry, MISSING_BIRTHDATE, "birthdate"))
        return None
    birthdate = parse_birthdate(entry.birthdate_text, today)
    if birthdate is None:
        issues.append(_issue(entry, INVALID_BIRTHDATE, "birthdate", value=entry.birthdate_text))
    return birthdate


def _issue(entry: SiecleEntry, code: str, field_name: str, **meta: Any) -> SiecleIssue:
    return SiecleIssue(
        code=code,
        line=entry.line,
        national_student_id=_upper(entry.national_student_id),
        field=field_name,
        last_name=entry.last_name,
        first_name=entry.first_name,
        meta=meta,
    )


def _add_warnings(entry: SiecleEntry, joined_names: str, warnings: list[SiecleWarning]) -> None:
    """The entry's warnings, appended to ``warnings``; most entries have none, and are let through
    at the cost of a few comparisons (an import checks every pupil of a lycée while its user waits).
    ``joined_names``: the entry's names joined by spaces."""
    national_student_id = _upper(entry.national_student_id)
    if entry.birth_country_code == FRANCE_COUNTRY_CODE and entry.birth_city_code is None:
        missing = SiecleWarning(BIRTH_CITY_CODE_MISSING, entry.line, national_student_id, _names(entry))
        warnings.append(missing)
    if len(entry.divisions) > 1:
        listed = list(entry.divisions[:MAX_DIVISIONS_LISTED])
        meta = {
            **_names(entry),
            "division": entry.divisions[0],
            "divisions": listed,
            "divisions_omitted": entry.divisions_dropped,
        }
        warnings.append(SiecleWarning(SEVERAL_DIVISIONS, entry.line, national_student_id, meta))
    # A name that looks double-encoded holds a pair the joined names hold too: one search for all.
    if DOUBLE_ENCODED_PAIR.search(joined_names) is None:
        return
    fields = [
        name
        for name, value in zip(NAME_FIELDS, _NAMES(entry), strict=True)
        if value is not None and looks_double_encoded(value)
    ]
    if fields:
        warnings.append(
            SiecleWarning(
                DOUBLE_ENCODED_NAME, entry.line, national_student_id, {**_names(entry), "fields": fields}
            )
        )


_NAMES: Final = attrgetter(*NAME_FIELDS)


def _names(entry: SiecleEntry) -> dict[str, Any]:
    return {"last_name": entry.last_name, "first_name": entry.first_name}


def _record(entry: SiecleEntry, national_student_id: str, birthdate: date | None) -> StudentRecord | None:
    if entry.first_name is None or entry.last_name is None or birthdate is None:
        return None
    # Positional, in the order of the fields: keywords cost a named tuple a third of its making.
    return StudentRecord(
        entry.line,
        national_student_id,
        entry.last_name,
        entry.preferred_last_name,
        entry.first_name,
        entry.middle_name,
        entry.third_name,
        birthdate,
        entry.birth_country_code,
        entry.birth_department_code,
        entry.birth_city_code,
        entry.birth_city,
        entry.mef_code,
        entry.status,
        entry.divisions[0],
    )


def _upper(value: str | None) -> str | None:
    return value.upper() if value is not None else None
