"""CSV and JSON rosters of N pupils, written in every shape spreadsheets save them, with the records
reading them must give.

``build_roster(n)`` draws pupils (the names of the SIECLE generator: accents, particles, ``Œ``,
apostrophes; second and third first names, usage names, identifiers of agricultural schools) and
``write_csv`` / ``write_json`` write them. ``CsvShape`` says how a spreadsheet saved the file: its
encoding (UTF-8 with or without BOM, Windows-1252, ISO-8859-15), separator, line end, quoting, the
headers as re-typed (case, accents, apostrophes, ``*``), the order of the columns, blank trailing
rows and columns, extra columns. ``expected_records`` gives the ``StudentRecord`` list the import
must produce from any of them. Fast enough for 20,000 pupils in a benchmark.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from domain.students.roster import CSV_COLUMNS
from domain.students.siecle import StudentRecord
from tests.support.siecle_generator import DIVISIONS, FIRST_NAMES, LAST_NAMES

Encoding = Literal["utf-8-sig", "utf-8", "cp1252", "iso-8859-15"]

LAYOUT = [header for header, _ in CSV_COLUMNS]
"""The headers as the template writes them."""
RETYPED = {
    # How a secretary re-types them: case, accents dropped, spaces, the other apostrophe, no ``*``.
    "Identifiant unique*": "IDENTIFIANT UNIQUE",
    "Premier prénom*": " premier prenom * ",
    "Deuxième prénom": "Deuxieme Prénom",
    "Troisième prénom": "TROISIÈME  PRÉNOM",
    "Nom de famille*": "nom de famille",
    "Nom d’usage": "Nom d'usage",
    "Date de naissance (jj/mm/aaaa)*": "DATE DE NAISSANCE (JJ/MM/AAAA)",
    "Division*": "division *",
}
AGRICULTURAL_DIVISIONS = (
    "2NDE-GT-AGRI",
    "1STAV1",
    "TSTAV1",
    "CAPA1",
    "BTSA-ACSE1",
    "BAC-PRO-CGEA2",
    *DIVISIONS,
)
SEX_CODES = ("1", "2")
STATUSES = ("ST", "AP", "")


@dataclass(frozen=True)
class Pupil:
    """One row of a roster; the columns the service does not store are written, never read."""

    national_student_id: str
    first_name: str
    last_name: str
    birthdate: date
    division: str
    middle_name: str | None = None
    third_name: str | None = None
    preferred_last_name: str | None = None
    sex_code: str = "1"
    birth_city_code: str = "75115"
    birth_city: str = "PARIS"
    birth_department_code: str = "075"
    birth_country_code: str = "100"
    status: str = "ST"
    mef_code: str = "27621000110"

    def csv_values(self, date_format: str) -> dict[str, str]:
        """The row by the layout's header."""
        return {
            "Identifiant unique*": self.national_student_id,
            "Premier prénom*": self.first_name,
            "Deuxième prénom": self.middle_name or "",
            "Troisième prénom": self.third_name or "",
            "Nom de famille*": self.last_name,
            "Nom d’usage": self.preferred_last_name or "",
            "Date de naissance (jj/mm/aaaa)*": self.birthdate.strftime(date_format),
            "Code sexe": self.sex_code,
            "Code commune naissance": self.birth_city_code,
            "Libellé commune naissance": self.birth_city,
            "Code département naissance": self.birth_department_code,
            "Code pays naissance": self.birth_country_code,
            "Statut": self.status,
            "Code MEF": self.mef_code,
            "Division*": self.division,
        }

    def json_entry(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "national_student_id": self.national_student_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birthdate": self.birthdate.isoformat(),
            "division": self.division,
        }
        for name in ("middle_name", "third_name", "preferred_last_name"):
            value = getattr(self, name)
            if value is not None:
                entry[name] = value
        return entry


def build_roster(n: int, seed: int = 0, *, encodable: Encoding = "cp1252") -> list[Pupil]:
    """``n`` pupils with distinct identifiers; every name is writable in ``encodable``."""
    rng = random.Random(seed)
    last_names = [name for name in LAST_NAMES if _encodable(name, encodable)]
    first_names = [name for name in FIRST_NAMES if _encodable(name, encodable)]
    pupils = []
    for number in range(n):
        pupils.append(
            Pupil(
                national_student_id=_identifier(rng, number),
                first_name=rng.choice(first_names),
                last_name=rng.choice(last_names),
                birthdate=date(2006 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                division=rng.choice(AGRICULTURAL_DIVISIONS),
                middle_name=rng.choice(first_names) if rng.random() < 0.3 else None,
                third_name=rng.choice(first_names) if rng.random() < 0.05 else None,
                preferred_last_name=rng.choice(last_names) if rng.random() < 0.05 else None,
                sex_code=rng.choice(SEX_CODES),
                status=rng.choice(STATUSES),
            )
        )
    return _distinct(pupils)


def _identifier(rng: random.Random, number: int) -> str:
    """An INE for two pupils in three, a school's own identifier for the third."""
    if number % 3 == 0:
        return f"AGRI{number:08d}"
    return f"{rng.randrange(10**9):09d}{chr(65 + number % 26)}{chr(65 + number // 26 % 26)}"


def _distinct(pupils: list[Pupil]) -> list[Pupil]:
    seen: set[str] = set()
    result = []
    for number, drawn in enumerate(pupils):
        pupil = drawn
        if pupil.national_student_id in seen:
            pupil = replace(pupil, national_student_id=f"DUP{number:08d}")
        seen.add(pupil.national_student_id)
        result.append(pupil)
    return result


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class CsvShape:
    """How a spreadsheet saved the roster."""

    encoding: Encoding = "utf-8-sig"
    delimiter: str = ";"
    line_end: str = "\r\n"
    quote_all: bool = False
    retyped_headers: bool = False
    columns: Sequence[str] | None = None
    """The layout's headers to write, in this order (default: all, in the layout's order)."""
    extra_columns: Sequence[str] = ()
    """Unknown columns, written after the others (empty cells)."""
    blank_trailing_rows: int = 0
    blank_trailing_columns: int = 0
    date_format: str = "%d/%m/%Y"
    header_overrides: dict[str, str] = field(default_factory=dict)


def write_csv(pupils: Sequence[Pupil], shape: CsvShape | None = None) -> bytes:
    shape = shape or CsvShape()
    columns = list(shape.columns or LAYOUT)
    out = io.StringIO(newline="")
    writer = csv.writer(
        out,
        delimiter=shape.delimiter,
        lineterminator=shape.line_end,
        quoting=csv.QUOTE_ALL if shape.quote_all else csv.QUOTE_MINIMAL,
    )
    blanks = [""] * shape.blank_trailing_columns
    headers = [
        shape.header_overrides.get(name, RETYPED.get(name, name) if shape.retyped_headers else name)
        for name in columns
    ]
    # A header the encoding cannot write (``’`` in ISO-8859-15) is typed with the other apostrophe.
    headers = [
        header if _encodable(header, shape.encoding) else header.replace("’", "'") for header in headers
    ]
    writer.writerow([*headers, *shape.extra_columns, *blanks])
    for pupil in pupils:
        values = pupil.csv_values(shape.date_format)
        writer.writerow([*(values[name] for name in columns), *([""] * len(shape.extra_columns)), *blanks])
    for _ in range(shape.blank_trailing_rows):
        writer.writerow([""] * (len(columns) + len(shape.extra_columns) + shape.blank_trailing_columns))
    return out.getvalue().encode(shape.encoding)


def write_json(pupils: Sequence[Pupil], *, indent: int | None = None) -> bytes:
    return json.dumps(
        {"students": [pupil.json_entry() for pupil in pupils]}, ensure_ascii=False, indent=indent
    ).encode()


def expected_records(
    pupils: Sequence[Pupil], *, json_roster: bool = False, first_line: int = 2
) -> list[StudentRecord]:
    """The records of a roster read from ``write_csv`` (one line per pupil after the header, unless a
    value holds a line break) or ``write_json``."""
    records = []
    line = first_line
    for index, pupil in enumerate(pupils):
        records.append(
            StudentRecord(
                line=None if json_roster else line,
                national_student_id=pupil.national_student_id.strip().upper(),
                last_name=pupil.last_name.strip(),
                preferred_last_name=(pupil.preferred_last_name or "").strip() or None,
                first_name=pupil.first_name.strip(),
                middle_name=(pupil.middle_name or "").strip() or None,
                third_name=(pupil.third_name or "").strip() or None,
                birthdate=pupil.birthdate,
                birth_country_code=None,
                birth_department_code=None,
                birth_city_code=None,
                birth_city=None,
                mef_code=None,
                status=None,
                division=pupil.division.strip(),
                json_index=index if json_roster else None,
            )
        )
        line += 1 + sum(value.count("\n") for value in pupil.csv_values("%d/%m/%Y").values())
    return records
