"""Realistic SIECLE "ElevesSansAdresses" exports of N students, with what a reader must find in them.

``build_siecle(n)`` draws students (French names with accents, particles and compound names, second
and third first names, usage names, students born abroad, leavers, students without INE, groups,
``Inactifs``, several classes) and writes them; ``GeneratedSiecle`` keeps the bytes together with
the expected ``SiecleEntry`` list (lines included), the skip reason of each student and the
``StudentRecord`` the check must produce. ``write_siecle(students)`` writes students given by the
caller (property tests draw them with hypothesis). Fast enough for 20,000 students in a benchmark.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from domain.students.siecle import SiecleEntry, StudentRecord

Kind = Literal["kept", "left", "no_ine", "inactive", "groups_only", "no_structure"]
SKIP_REASON_BY_KIND: dict[str, str | None] = {
    "kept": None,
    "left": "LEFT_SCHOOL",
    "no_ine": "MISSING_NATIONAL_STUDENT_ID",
    "inactive": "NO_DIVISION",
    "groups_only": "NO_DIVISION",
    "no_structure": "NO_DIVISION",
}

# fmt: off
LAST_NAMES = (
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
    "MOREAU", "SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
    "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRÉ", "MERCIER", "DUPONT", "LAMBERT", "BONNET",
    "FRANÇOIS", "MARTINEZ", "NGUYEN", "BENALI", "DIALLO", "TRAORÉ", "DA SILVA", "DOS SANTOS",
    "DE LA FONTAINE", "D'ALEMBERT", "LE GALL", "LE ROUX", "DE SAINT-EXUPÉRY", "CŒURDEROI",
    "MÜLLER", "GÉRARD", "HÉBERT", "PRÉVOST", "FAURE", "CHEVALIER", "N'DIAYE", "MARTIN-DUBOIS",
    "LÉGER", "NOËL", "CHÂTEAU", "BRÛLÉ", "ÉTIENNE", "ŒUVRARD", "DU PONT DE NEMOURS", "L'HERMITE",
    "VAN DER BERG", "SÁNCHEZ", "JOLY-BÉNARD", "DESCHAMPS", "LEMAÎTRE", "BOUCHÉ", "KOWALSKI",
)
FIRST_NAMES = (
    "Camille", "Léa", "Chloé", "Inès", "Zoé", "Maëlys", "Noémie", "Hélène", "Agnès", "Anaïs",
    "Éloïse", "Jean-Éric", "Jean-Baptiste", "Marie-Noëlle", "François", "Jérôme", "Loïc", "Gaël",
    "Noé", "Raphaël", "Théo", "Mathéo", "Hugo", "Lucas", "Adèle", "Clémence", "Océane", "Maël",
    "Zoë", "Françoise", "Joël", "Cécile", "Thi Minh", "Mohamed", "Aïcha", "Yasmine", "Amélie",
    "Élodie", "Benoît", "Rémi", "Aurélien", "Stéphane", "Sébastien", "Ophélie", "Lou-Anne",
    "Lily-Rose", "Anne-Sophie", "Œdipe", "Ève", "Léon", "Jules", "Emma", "Louise", "Nathan",
)
FRENCH_BIRTHPLACES = (  # (CODE_DEPARTEMENT_NAISS, CODE_COMMUNE_INSEE_NAISS, VILLE_NAISS)
    ("075", "75115", ""), ("075", "75056", "PARIS"), ("069", "69123", "LYON"),
    ("013", "13055", "MARSEILLE"), ("031", "31555", "TOULOUSE"), ("006", "06088", "NICE"),
    ("044", "44109", "NANTES"), ("067", "67482", "STRASBOURG"), ("971", "97120", "POINTE-À-PITRE"),
    ("02A", "2A004", "AJACCIO"), ("093", "93066", "SAINT-DENIS"), ("059", "59350", "LILLE"),
)
FOREIGN_BIRTHPLACES = (  # (CODE_PAYS, VILLE_NAISS)
    ("132", "LONDRES"), ("131", "BRUXELLES"), ("341", "DAKAR"), ("352", "ALGER"),
    ("350", "CASABLANCA"), ("140", "GENÈVE"), ("401", "MONTRÉAL"), ("134", "SÉVILLE"),
)
# fmt: on
DIVISIONS = tuple(
    [f"2NDE{i}" for i in range(1, 13)]
    + [f"1G{i}" for i in range(1, 9)]
    + [f"TG{i}" for i in range(1, 9)]
    + ["1STMG1", "1STMG2", "TSTI2D1", "TSTMG1", "BTS1", "BTS2", "CAP1"]
)
GROUPS = ("LV2ESP", "LV2ALL", "OPTLAT", "EURO-ANG", "AP-MATHS", "SPE-NSI")
MEF_CODES = ("20010018110", "20111010110", "20211010110", "21131012110", "32031309210", "24022301210")


@dataclass(frozen=True)
class GeneratedStudent:
    """One ``<ELEVE>`` to write; ``None`` fields are written as empty elements (INE: left out)."""

    eleve_id: str
    kind: Kind = "kept"
    national_student_id: str | None = None
    last_name: str | None = None
    preferred_last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    third_name: str | None = None
    sex: str = "1"
    birthdate_text: str | None = None
    birth_country_code: str | None = None
    birth_department_code: str | None = None
    birth_city_code: str | None = None
    birth_city: str | None = None
    mef_code: str | None = None
    status: str | None = None
    left_at_text: str | None = None
    structures: tuple[tuple[str, str], ...] = ()
    """``(CODE_STRUCTURE, TYPE_STRUCTURE)`` pairs; no ``STRUCTURES_ELEVE`` at all when empty."""
    previous_school: tuple[str, str] | None = None
    """``SCOLARITE_AN_DERNIER`` (nested ``CODE_MEF``, ``CODE_STRUCTURE``) that must not be read."""


@dataclass
class GeneratedSiecle:
    """A written export and what reading and checking it must give."""

    xml: bytes
    uai: str
    students: list[GeneratedStudent]
    entries: list[SiecleEntry] = field(default_factory=list)
    """What the reader must return, in file order, lines included."""

    def skip_reasons(self) -> list[tuple[int, str]]:
        """``(line, reason)`` of each skipped student, in file order."""
        return [
            (entry.line, reason)
            for entry, student in zip(self.entries, self.students, strict=True)
            if (reason := SKIP_REASON_BY_KIND[student.kind]) is not None
        ]

    def expected_records(self) -> list[StudentRecord]:
        """The records of the ``kept`` students (their data is always valid)."""
        return [
            _record(entry)
            for entry, student in zip(self.entries, self.students, strict=True)
            if student.kind == "kept"
        ]


def generate_siecle(
    n: int,
    *,
    uai: str = "0751234A",
    seed: int = 0,
    encoding: str = "ISO-8859-15",
    declared_encoding: str | None = None,
    bom: bool = False,
    all_kept: bool = False,
) -> bytes:
    """The bytes of an export of ``n`` random students (see ``build_siecle``)."""
    return build_siecle(
        n,
        uai=uai,
        seed=seed,
        encoding=encoding,
        declared_encoding=declared_encoding,
        bom=bom,
        all_kept=all_kept,
    ).xml


def build_siecle(
    n: int,
    *,
    uai: str = "0751234A",
    seed: int = 0,
    encoding: str = "ISO-8859-15",
    declared_encoding: str | None = None,
    bom: bool = False,
    all_kept: bool = False,
) -> GeneratedSiecle:
    """An export of ``n`` random students with unique INEs; ``all_kept`` leaves out skipped ones."""
    students = random_students(n, seed=seed, all_kept=all_kept)
    return write_siecle(students, uai=uai, encoding=encoding, declared_encoding=declared_encoding, bom=bom)


def random_students(n: int, *, seed: int = 0, all_kept: bool = False) -> list[GeneratedStudent]:
    rng = random.Random(seed)
    return [_random_student(rng, index, seed, all_kept) for index in range(n)]


def write_siecle(
    students: Sequence[GeneratedStudent],
    *,
    uai: str | None = "0751234A",
    encoding: str = "ISO-8859-15",
    declared_encoding: str | None = None,
    bom: bool = False,
    school_year: int = 2025,
) -> GeneratedSiecle:
    """Write ``students`` as SIECLE does (``declared_encoding`` may lie about ``encoding``), as
    exported on the first school day of ``school_year``."""
    declared = declared_encoding or encoding
    exported = f"02/09/{school_year}"
    parts = [
        f'<?xml version="1.0" encoding="{declared}"?>\n<BEE_ELEVES VERSION="3.1">\n'
        f"  <PARAMETRES>{_uai(uai)}<ANNEE_SCOLAIRE>{school_year}</ANNEE_SCOLAIRE>"
        f"<DATE_EXPORT>{exported}</DATE_EXPORT><HORODATAGE>{exported} 10:12:44</HORODATAGE></PARAMETRES>\n"
        "  <DONNEES>\n    <ELEVES>\n"
    ]
    line = 6
    entries: list[SiecleEntry] = []
    for student in students:
        block = _eleve_block(student)
        parts.append(block)
        entries.append(_expected_entry(student, line))
        line += block.count("\n")
    parts.append("    </ELEVES>\n    <STRUCTURES>\n")
    parts.extend(_structures_block(student) for student in students if student.structures)
    parts.append("    </STRUCTURES>\n  </DONNEES>\n</BEE_ELEVES>\n")
    xml = "".join(parts).encode(encoding)
    if bom:
        xml = b"\xef\xbb\xbf" + xml
    uai_value = uai.strip() if uai else None
    return GeneratedSiecle(xml=xml, uai=uai_value or "", students=list(students), entries=entries)


def zip_bytes(xml: bytes, name: str = "ElevesSansAdresses.xml", *, macosx: bool = True) -> bytes:
    """``xml`` zipped as a Mac user would send it: with a ``__MACOSX/`` resource entry. The entries
    carry a fixed date, so that the same ``xml`` gives the same archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_zip_entry(name), xml)
        if macosx:
            archive.writestr(_zip_entry(f"__MACOSX/._{name}"), b"\x00\x05\x16\x07")
    return buffer.getvalue()


def _zip_entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=(2025, 9, 2, 10, 12, 44))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


def expected_divisions(structures: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The distinct classes, in file order (a student has far fewer than the reader keeps)."""
    codes = (
        code.strip()
        for code, kind in structures
        if kind.strip() == "D" and code.strip() and code.strip().casefold() != "inactifs"
    )
    return tuple(dict.fromkeys(codes))


def _random_student(rng: random.Random, index: int, seed: int, all_kept: bool) -> GeneratedStudent:
    kind = "kept" if all_kept else _random_kind(rng)
    born_in_france = rng.random() < 0.9
    department, commune, city = rng.choice(FRENCH_BIRTHPLACES)
    country, foreign_city = rng.choice(FOREIGN_BIRTHPLACES)
    if born_in_france and rng.random() < 0.02:
        commune = ""  # a French-born student without birth city code: a warning
    birthdate = date(2005, 1, 1).toordinal() + rng.randrange(6 * 365)
    return GeneratedStudent(
        eleve_id=str(100_000 + index),
        kind=kind,
        national_student_id=None if kind == "no_ine" else _ine(index, seed, rng),
        last_name=_compound(rng, LAST_NAMES, "-", 0.05),
        preferred_last_name=rng.choice(LAST_NAMES) if rng.random() < 0.05 else None,
        first_name=_compound(rng, FIRST_NAMES, "-", 0.03),
        middle_name=rng.choice(FIRST_NAMES) if rng.random() < 0.4 else None,
        third_name=rng.choice(FIRST_NAMES) if rng.random() < 0.1 else None,
        sex=rng.choice("12"),
        birthdate_text=date.fromordinal(birthdate).strftime("%d/%m/%Y"),
        birth_country_code="100" if born_in_france else country,
        birth_department_code=department if born_in_france else None,
        birth_city_code=(commune or None) if born_in_france else None,
        birth_city=(city or None) if born_in_france else foreign_city,
        mef_code=rng.choice(MEF_CODES),
        status="AP" if rng.random() < 0.05 else "ST",
        left_at_text="15/06/2025" if kind == "left" else None,
        structures=_random_structures(rng, kind),
        previous_school=(rng.choice(MEF_CODES), rng.choice(DIVISIONS)) if rng.random() < 0.3 else None,
    )


def _random_kind(rng: random.Random) -> Kind:
    draw = rng.random()
    if draw < 0.03:
        return "left"
    if draw < 0.05:
        return "no_ine"
    if draw < 0.06:
        return "inactive"
    if draw < 0.07:
        return "groups_only"
    if draw < 0.08:
        return "no_structure"
    return "kept"


def _random_structures(rng: random.Random, kind: Kind) -> tuple[tuple[str, str], ...]:
    groups = tuple((group, "G") for group in rng.sample(GROUPS, rng.randrange(3)))
    if kind == "no_structure":
        return ()
    if kind == "groups_only":
        return groups or (("OPTLAT", "G"),)
    if kind == "inactive":
        return (("Inactifs", "D"), *groups)
    divisions = [(rng.choice(DIVISIONS), "D")]
    draw = rng.random()
    if draw < 0.01:
        divisions.append((rng.choice(DIVISIONS), "D"))  # several classes: a warning
    elif draw < 0.02:
        divisions.insert(0, ("Inactifs", "D"))
    return (*divisions, *groups)


def _compound(rng: random.Random, names: Sequence[str], joiner: str, share: float) -> str:
    if rng.random() < share:
        return f"{rng.choice(names)}{joiner}{rng.choice(names)}"
    return rng.choice(names)


def _ine(index: int, seed: int, rng: random.Random) -> str:
    # 7919 is prime to 10**9, so the digits differ for every index of one file.
    digits = (index * 7919 + seed * 104_729) % 1_000_000_000
    letters = chr(65 + rng.randrange(26)) + chr(65 + rng.randrange(26))
    ine = f"{digits:09d}{letters}"
    return ine.lower() if rng.random() < 0.01 else ine


def _uai(uai: str | None) -> str:
    return "" if uai is None else f"<UAJ>{_escape(uai)}</UAJ>"


def _eleve_block(student: GeneratedStudent) -> str:
    ine = (
        ""
        if student.national_student_id is None
        else f"        <ID_NATIONAL>{_escape(student.national_student_id)}</ID_NATIONAL>\n"
    )
    left = (
        ""
        if student.left_at_text is None
        else f"        <DATE_SORTIE>{_escape(student.left_at_text)}</DATE_SORTIE>\n"
    )
    previous = ""
    if student.previous_school is not None:
        mef, division = student.previous_school
        previous = (
            "        <SCOLARITE_AN_DERNIER>\n"
            f"          <CODE_MEF>{mef}</CODE_MEF>\n"
            f"          <CODE_STRUCTURE>{division}</CODE_STRUCTURE>\n"
            "          <CODE_RNE>0759999X</CODE_RNE>\n"
            "        </SCOLARITE_AN_DERNIER>\n"
        )
    s = student
    return (
        f'      <ELEVE ELEVE_ID="{s.eleve_id}" ELENOET="{s.eleve_id}">\n'
        f"{ine}"
        f"        <ID_ELEVE_ETAB>{s.eleve_id}</ID_ELEVE_ETAB>\n"
        f"        <NOM_DE_FAMILLE>{_text(s.last_name)}</NOM_DE_FAMILLE>\n"
        f"        <NOM_USAGE>{_text(s.preferred_last_name)}</NOM_USAGE>\n"
        f"        <PRENOM>{_text(s.first_name)}</PRENOM>\n"
        f"        <PRENOM2>{_text(s.middle_name)}</PRENOM2>\n"
        f"        <PRENOM3>{_text(s.third_name)}</PRENOM3>\n"
        f"        <CODE_SEXE>{s.sex}</CODE_SEXE>\n"
        f"        <DATE_NAISS>{_text(s.birthdate_text)}</DATE_NAISS>\n"
        f"        <CODE_PAYS>{_text(s.birth_country_code)}</CODE_PAYS>\n"
        f"        <CODE_DEPARTEMENT_NAISS>{_text(s.birth_department_code)}</CODE_DEPARTEMENT_NAISS>\n"
        f"        <CODE_COMMUNE_INSEE_NAISS>{_text(s.birth_city_code)}</CODE_COMMUNE_INSEE_NAISS>\n"
        f"        <VILLE_NAISS>{_text(s.birth_city)}</VILLE_NAISS>\n"
        f"        <CODE_MEF>{_text(s.mef_code)}</CODE_MEF>\n"
        f"        <CODE_STATUT>{_text(s.status)}</CODE_STATUT>\n"
        "        <DATE_ENTREE>01/09/2025</DATE_ENTREE>\n"
        f"{previous}{left}"
        "      </ELEVE>\n"
    )


def _structures_block(student: GeneratedStudent) -> str:
    structures = "".join(
        "        <STRUCTURE>\n"
        f"          <CODE_STRUCTURE>{_escape(code)}</CODE_STRUCTURE>\n"
        f"          <TYPE_STRUCTURE>{_escape(kind)}</TYPE_STRUCTURE>\n"
        "        </STRUCTURE>\n"
        for code, kind in student.structures
    )
    return f'      <STRUCTURES_ELEVE ELEVE_ID="{student.eleve_id}">\n{structures}      </STRUCTURES_ELEVE>\n'


def _expected_entry(student: GeneratedStudent, line: int) -> SiecleEntry:
    s = student
    return SiecleEntry(
        line=line,
        national_student_id=_read(s.national_student_id),
        last_name=_read(s.last_name),
        preferred_last_name=_read(s.preferred_last_name),
        first_name=_read(s.first_name),
        middle_name=_read(s.middle_name),
        third_name=_read(s.third_name),
        birthdate_text=_read(s.birthdate_text),
        birth_country_code=_read(s.birth_country_code),
        birth_department_code=_read(s.birth_department_code),
        birth_city_code=_read(s.birth_city_code),
        birth_city=_read(s.birth_city),
        mef_code=_read(s.mef_code),
        status=_read(s.status),
        left_at_text=_read(s.left_at_text),
        divisions=expected_divisions(s.structures),
    )


def _record(entry: SiecleEntry) -> StudentRecord:
    assert entry.national_student_id
    assert entry.last_name
    assert entry.first_name
    assert entry.birthdate_text
    day, month, year = (int(part) for part in entry.birthdate_text.split("/"))
    return StudentRecord(
        line=entry.line,
        national_student_id=entry.national_student_id.upper(),
        last_name=entry.last_name,
        preferred_last_name=entry.preferred_last_name,
        first_name=entry.first_name,
        middle_name=entry.middle_name,
        third_name=entry.third_name,
        birthdate=date(year, month, day),
        birth_country_code=entry.birth_country_code,
        birth_department_code=entry.birth_department_code,
        birth_city_code=entry.birth_city_code,
        birth_city=entry.birth_city,
        mef_code=entry.mef_code,
        status=entry.status,
        division=entry.divisions[0],
    )


def _read(value: str | None) -> str | None:
    """What a reader finds: the stripped text, ``None`` when empty."""
    if value is None:
        return None
    return value.strip() or None


def _text(value: str | None) -> str:
    return "" if value is None else _escape(value)


def _escape(value: str) -> str:
    if "&" in value or "<" in value or ">" in value or "\r" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = value.replace("\r", "&#13;")
    return value


def iter_chunks(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in pieces of ``size`` bytes (for streams that deliver little at a time)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]
