"""The rosters of the "Lycée agricole Pix", a school that does not exist, for the tests and for the
README's walkthrough: its list of pupils as a spreadsheet saves it (CSV), as an integrator sends it
(JSON), and a CSV refused for its errors.

Its pupils are characters of novels about the countryside and the sea (and Jeanne Baret, the
botanist), so nobody can mistake them for real children; their identifiers are the school's own
(``AGRI…``), not INEs. The CSV is what a French spreadsheet saves: UTF-8 with a byte order mark,
``;``, CRLF, every column of the layout, a re-typed header, a blank row at the end.

``python -m tests.support.roster_samples examples/`` writes the files the README uses.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from tests.support.roster_generator import CsvShape, Pupil, write_csv, write_json


def _pupil(number: int, first: str, last: str, born: date, division: str, **more: str) -> Pupil:
    return Pupil(f"AGRI{number:06d}", first, last, born, division, **more)  # type: ignore[arg-type]  # the optional names


PUPILS = [
    _pupil(1, "Jeanne", "BARET", date(2009, 7, 27), "2NDE-GT-AGRI"),
    _pupil(2, "Fadette", "FADET", date(2009, 3, 12), "2NDE-GT-AGRI", middle_name="Fanchon"),
    _pupil(3, "Landry", "BARBEAU", date(2009, 5, 2), "2NDE-GT-AGRI"),
    _pupil(4, "Sylvinet", "BARBEAU", date(2009, 5, 2), "2NDE-GT-AGRI"),
    _pupil(5, "Germain", "LÉONARD", date(2008, 11, 30), "1STAV1"),
    _pupil(6, "Marie", "GUILLETTE", date(2008, 1, 19), "1STAV1", preferred_last_name="LÉONARD"),
    _pupil(7, "Gilliatt", "LE MALIN", date(2008, 6, 21), "1STAV1"),
    _pupil(8, "Déruchette", "LETHIERRY", date(2008, 2, 29), "1STAV1"),
    _pupil(9, "Jean", "VALJEAN", date(2007, 10, 1), "TSTAV1", middle_name="Fauchelevent"),
    _pupil(10, "Ursule", "MIROUËT", date(2007, 4, 14), "TSTAV1"),
    _pupil(11, "Jacquou", "LE CROQUANT", date(2007, 8, 15), "CAPA1"),
    _pupil(12, "Émilienne", "D'ARMAGNAC", date(2007, 12, 24), "CAPA1"),
    _pupil(13, "Noël", "CŒURDEROI", date(2008, 12, 25), "BTSA-ACSE1", third_name="Pascal"),
    _pupil(14, "Angèle", "L’HERMITE", date(2006, 9, 3), "BTSA-ACSE1"),
]
FIRST_ROSTER = "eleves-lycee-agricole.csv"


def first_roster_csv() -> bytes:
    return write_csv(PUPILS, CsvShape(retyped_headers=True, blank_trailing_rows=1))


def first_roster_json() -> bytes:
    return write_json(PUPILS, indent=2)


def refused_roster_csv() -> bytes:
    """Three errors: an identifier given twice, a pupil without class, a birth date that does not
    exist (the 30 February)."""
    pupils = [
        *PUPILS[:4],
        replace(PUPILS[4], national_student_id=PUPILS[3].national_student_id),
        replace(PUPILS[5], division=""),
        *PUPILS[6:],
    ]
    text = write_csv(pupils).decode("utf-8-sig").replace("29/02/2008", "30/02/2008")
    return ("\ufeff" + text).encode()


SAMPLES: dict[str, Callable[[], bytes]] = {
    FIRST_ROSTER: first_roster_csv,
    "eleves-lycee-agricole.json": first_roster_json,
    "erreur-eleves.csv": refused_roster_csv,
}


def write_samples(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, write in SAMPLES.items():
        (directory / name).write_bytes(write())
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the Lycée agricole Pix sample rosters.")
    parser.add_argument("directory", type=Path, help="where to write them (the project's: examples/)")
    directory = write_samples(parser.parse_args().directory)
    for name in SAMPLES:
        print(directory / name)


if __name__ == "__main__":
    main()
