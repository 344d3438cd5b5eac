"""The SIECLE exports of the "Lycée Pix", a school that does not exist (UAI ``0751234A``), for the
tests and for the README's walkthrough.

Its pupils are characters of novels and comics (and the two pupils of the OpenAPI examples, Alan
Turing and Camille Abba), so nobody can mistake them for real children. The files cover what an
export holds: accents and ``Œ`` (ISO-8859-15 has it, Latin-1 has not), particles and apostrophes,
compound and second or third first names, a usage name, pupils born abroad, twins, an apprentice,
a 29 February, and the four kinds of skipped entries. ``rentree_export`` is the next school year's
export of the same school; the ``erreur-*.xml`` files are each refused for one reason.

``python -m tests.support.siecle_samples examples/`` writes the files the README uses
(``EXAMPLES``); the test suite writes every sample (``SAMPLES``) in a temporary directory.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from tests.support.siecle_generator import GeneratedSiecle, GeneratedStudent, Kind, write_siecle, zip_bytes

UAI = "0751234A"
OTHER_UAI = "0931234X"
FIRST_EXPORT = "ElevesSansAdresses.xml"
PARIS = ("075", "75115", None)
LYON = ("069", "69123", "LYON")


def pupil(
    number: int,
    last_name: str | None,
    first_name: str,
    sex: str,
    born: str | None,
    division: str,
    *,
    middle: str | None = None,
    third: str | None = None,
    usage: str | None = None,
    abroad: tuple[str, str] | None = None,
    birthplace: tuple[str, str, str | None] = PARIS,
    status: str = "ST",
    ine: str | None = "",
    left: str | None = None,
    structures: tuple[tuple[str, str], ...] | None = None,
    kind: Kind = "kept",
) -> GeneratedStudent:
    """One pupil of the school: ``division`` is their class; ``abroad`` is ``(CODE_PAYS, city)``;
    ``ine=None`` leaves the INE out, the default one is made of ``number``."""
    department, city_code, city = (None, None, abroad[1]) if abroad else birthplace
    return GeneratedStudent(
        eleve_id=str(number),
        kind=kind,
        national_student_id=f"{number:09d}PX" if ine == "" else ine,
        last_name=last_name,
        preferred_last_name=usage,
        first_name=first_name,
        middle_name=middle,
        third_name=third,
        sex=sex,
        birthdate_text=born,
        birth_country_code=abroad[0] if abroad else "100",
        birth_department_code=department,
        birth_city_code=city_code,
        birth_city=city,
        mef_code="32031309210" if division.startswith("BTS") else "20010018110",
        status=status,
        left_at_text=left,
        structures=((division, "D"),) if structures is None else structures,
    )


# fmt: off
PUPILS_2025 = (
    pupil(1001, "ABBA", "Camille", "2", "25/02/2006", "BTS1"),
    pupil(1002, "BOVARY", "Emma", "2", "02/12/2009", "2NDE1"),
    pupil(1003, "CASTAFIORE", "Bianca", "2", "08/08/2007", "TG2", abroad=("127", "MILAN")),
    pupil(1004, "CŒURVAILLANT", "Maëlys", "2", "01/01/2008", "1G2", birthplace=LYON),
    pupil(1005, "D'ARTAGNAN", "Zoé", "2", "14/07/2008", "1G1", usage="DE BATZ"),
    pupil(1006, "DALTON", "Jack", "1", "12/03/2008", "1G2"),
    pupil(1007, "DALTON", "Jacky", "1", "12/03/2008", "1G2"),
    pupil(1008, "DANTÈS", "Edmond", "1", "24/02/2008", "1G1", structures=(("1G1", "D"), ("LV2ESP", "G"))),
    pupil(1009, "DE BERGERAC", "Cyrano", "1", "06/03/2008", "1G2", middle="Savinien"),
    pupil(1010, "DE LA MOLE", "Jean-Émile", "1", "05/11/2009", "2NDE2", middle="Noël"),
    pupil(1011, "DE NUCINGEN", "Delphine", "2", "22/10/2008", "1G1"),
    pupil(1012, "DE RÊNAL", "Louise", "2", "20/05/2008", "1STMG1"),
    pupil(1013, "DORMANT", "Aurore", "2", "10/10/2007", "Inactifs", kind="inactive"),
    pupil(1014, "FANDOR", "Jérôme", "1", "09/12/2007", "TSTMG1"),
    pupil(1015, "FANTÔME", "Erik", "1", "11/11/2008", "", structures=(("OPTLAT", "G"),), kind="groups_only"),
    pupil(1016, "FOGG", "Phileas", "1", "02/10/2007", "TG2", abroad=("132", "LONDRES")),
    pupil(1017, "HADDOCK", "Archibald", "1", "17/07/2007", "TG2"),
    pupil(1018, "LAGAFFE", "Gaston", "1", "28/02/2009", "2NDE3"),
    pupil(1019, "LUPIN", "Arsène", "1", "14/03/2008", "1G1"),
    pupil(1020, "MACQUART", "Gervaise", "2", "17/01/2010", "2NDE3"),
    pupil(1021, "MAIGRET", "Jules", "1", "13/02/2007", "TG1"),
    pupil(1022, "MEAULNES", "Augustin", "1", "09/09/2009", "2NDE2", ine=None, kind="no_ine"),
    pupil(1023, "MÜNCHHAUSEN", "Hieronymus", "1", "28/02/2006", "BTS1", status="AP"),
    pupil(1024, "NGÔ", "Thi Lan", "2", "30/04/2009", "2NDE1", middle="Anh"),
    pupil(1025, "PASSEPARTOUT", "Jean", "1", "11/11/2007", "TG2", left="15/06/2025", kind="left"),
    pupil(1026, "POIROT", "Hercule", "1", "01/04/2007", "TG1", abroad=("131", "BRUXELLES")),
    pupil(1027, "PONTMERCY", "Marius", "1", "15/05/2009", "2NDE1"),
    pupil(1028, "ROUGON", "Eugène", "1", "03/07/2010", "2NDE3"),
    pupil(1029, "SEUREL", "François", "1", "30/06/2009", "2NDE2", middle="Marcel", third="Augustin"),
    pupil(1030, "SOREL", "Julien", "1", "15/09/2008", "1STMG1"),
    pupil(1031, "THÉNARDIER", "Éponine", "2", "27/08/2009", "2NDE2"),
    pupil(1032, "TOURNESOL", "Tryphon", "1", "29/02/2008", "TSTMG1"),
    pupil(1033, "TURING", "Alan", "1", "23/06/2002", "BTS1", middle="Mathison"),
    pupil(1034, "VALJEAN", "Jean", "1", "19/04/2009", "2NDE1"),
)
# fmt: on
NEXT_CLASS = {
    "2NDE1": "1G1",
    "2NDE2": "1G2",
    "2NDE3": "1STMG1",
    "1G1": "TG1",
    "1G2": "TG2",
    "1STMG1": "TSTMG1",
    "BTS1": "BTS2",
}  # fmt: skip
"""Where each class goes the next year; the final years (``TG*``, ``TSTMG1``) leave the school."""
REPEATING = frozenset({"LAGAFFE"})
QUITTING = frozenset({"MÜNCHHAUSEN", "PASSEPARTOUT"})


def _next_year(student: GeneratedStudent) -> GeneratedStudent | None:
    """The pupil in the next year's export, or ``None`` when they left the school."""
    if student.last_name in QUITTING:
        return None
    if student.kind == "no_ine":  # the newcomer got their INE over the year
        return dataclasses.replace(
            student,
            kind="kept",
            national_student_id=f"{int(student.eleve_id):09d}PX",
            structures=(("1G2", "D"),),
        )
    if student.kind == "groups_only":  # placed in a class at last
        return dataclasses.replace(student, kind="kept", structures=(("1STMG1", "D"),))
    if student.kind != "kept":
        return student
    if student.last_name in REPEATING:
        return student
    division = student.structures[0][0]
    if division not in NEXT_CLASS:
        return None
    moved = dataclasses.replace(student, structures=((NEXT_CLASS[division], "D"), *student.structures[1:]))
    if student.last_name == "D'ARTAGNAN":
        return dataclasses.replace(moved, preferred_last_name="DE CASTELMORE")
    return moved


def _pupils_2026() -> list[GeneratedStudent]:
    staying = [student for student in map(_next_year, PUPILS_2025) if student is not None]
    newcomers = [
        pupil(1035, "LIDDELL", "Alice", "2", "04/05/2010", "2NDE1"),
        pupil(1036, "PAN", "Peter", "1", "01/06/2010", "2NDE2"),
    ]
    return sorted([*staying, *newcomers], key=lambda student: student.last_name or "")


@cache
def first_export() -> GeneratedSiecle:
    """This year's export: 34 pupils, 30 kept and 4 skipped (one of each skip case)."""
    return write_siecle(PUPILS_2025, uai=UAI)


@cache
def rentree_export() -> GeneratedSiecle:
    """The next year's export: 21 pupils moved up (one with a new usage name), 1 repeating the
    year, 8 gone (6 after their final year, 1 leaver, 1 apprentice who quit), 4 new ones (2 who
    could not be kept last year, 2 arrivals); the pupil in ``Inactifs`` is still skipped."""
    return write_siecle(_pupils_2026(), uai=UAI, school_year=2026)


def _refused_fields() -> bytes:
    return write_siecle(
        [
            pupil(2001, "ERREUR", "Aline", "2", "2009-05-14", "2NDE1"),  # YYYY-MM-DD
            pupil(2002, "ERREUR", "Basile", "1", "31/02/2009", "2NDE1"),  # no such day
            pupil(2003, None, "Capucine", "2", "07/07/2009", "2NDE1"),  # empty family name
            pupil(2004, "ERREUR", "Denis", "1", None, "2NDE1"),  # empty birth date
        ],
        uai=UAI,
    ).xml


def _refused_duplicate_ine() -> bytes:
    return write_siecle(
        [
            pupil(3001, "JUMEAU", "Castor", "1", "21/05/2009", "2NDE1", ine="000003001PX"),
            pupil(3002, "LÉDA", "Hélène", "2", "22/05/2009", "2NDE1"),
            pupil(3003, "JUMEAU", "Pollux", "1", "21/05/2009", "2NDE1", ine="000003001PX"),  # typed twice
        ],
        uai=UAI,
    ).xml


def _refused_truncated() -> bytes:
    """The first export cut in the middle of its third pupil, as an interrupted download leaves it."""
    xml = first_export().xml
    third = xml.index(b"<CODE_STATUT>", xml.index(b'ELEVE_ID="1003"'))
    return xml[: third + len(b"<CODE_STATUT>S")]


SAMPLES: dict[str, Callable[[], bytes]] = {
    FIRST_EXPORT: lambda: first_export().xml,
    "ElevesSansAdresses.zip": lambda: zip_bytes(first_export().xml, FIRST_EXPORT),
    "ElevesSansAdresses-rentree.xml": lambda: rentree_export().xml,
    "erreur-champs.xml": _refused_fields,
    "erreur-ine-double.xml": _refused_duplicate_ine,
    "erreur-uai-autre.xml": lambda: write_siecle(PUPILS_2025[:3], uai=OTHER_UAI).xml,
    "erreur-sans-uai.xml": lambda: write_siecle(PUPILS_2025[:3], uai=None).xml,
    "erreur-tronque.xml": _refused_truncated,
}
EXAMPLES = (FIRST_EXPORT, "ElevesSansAdresses.zip", "ElevesSansAdresses-rentree.xml", "erreur-champs.xml")
"""The files of ``examples/``, used by the README's walkthrough."""


def write_samples(directory: Path, names: Iterable[str] = SAMPLES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_bytes(SAMPLES[name]())
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the Lycée Pix sample SIECLE exports.")
    parser.add_argument("directory", type=Path, help="where to write them (the project's: examples/)")
    directory = write_samples(parser.parse_args().directory, EXAMPLES)
    for name in EXAMPLES:
        print(directory / name)


if __name__ == "__main__":
    main()
