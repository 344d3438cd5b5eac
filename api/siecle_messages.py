"""The ``detail`` of each SIECLE import item, in French and English, for school secretaries.

Each template is filled with ``str.format`` from the item: ``line``, ``national_student_id``,
``field``, ``last_name``, ``first_name`` and the keys of its ``meta``. ``siecle_detail`` renders one
item and never fails on a missing field (it shows as empty).
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Mapping
from typing import Any, Final, Literal

from domain.students.roster import COLUMN_OF_FIELD

Language = Literal["fr", "en"]

SIECLE_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # Errors on one student (line of its <ELEVE>).
    "DUPLICATE_NATIONAL_STUDENT_ID": (
        "Ligne {line} : l'INE {national_student_id} ({last_name} {first_name}) figure déjà "
        "ligne {first_line}. Chaque élève doit avoir son propre INE : corrigez-le dans SIECLE "
        "puis refaites l'export.",
        "Line {line}: the INE {national_student_id} ({last_name} {first_name}) already appears "
        "on line {first_line}. Each student must have their own INE: fix it in SIECLE and export "
        "the file again.",
    ),
    "MISSING_FIRST_NAME": (
        "Ligne {line} : l'élève {last_name} (INE {national_student_id}) n'a pas de prénom.",
        "Line {line}: the student {last_name} (INE {national_student_id}) has no first name.",
    ),
    "MISSING_LAST_NAME": (
        "Ligne {line} : l'élève {first_name} (INE {national_student_id}) n'a pas de nom de famille.",
        "Line {line}: the student {first_name} (INE {national_student_id}) has no family name.",
    ),
    "MISSING_BIRTHDATE": (
        "Ligne {line} : l'élève {last_name} {first_name} (INE {national_student_id}) n'a pas de "
        "date de naissance.",
        "Line {line}: the student {last_name} {first_name} (INE {national_student_id}) has no birth date.",
    ),
    "INVALID_BIRTHDATE": (
        "Ligne {line} : la date de naissance « {value} » de l'élève {last_name} {first_name} "
        "(INE {national_student_id}) n'est pas une date valide au format JJ/MM/AAAA.",
        "Line {line}: the birth date “{value}” of the student {last_name} {first_name} "
        "(INE {national_student_id}) is not a valid date in the DD/MM/YYYY format.",
    ),
    "VALUE_TOO_LONG": (
        "Ligne {line} : {element} de l'élève {last_name} {first_name} (INE {national_student_id}) "
        "a {length} caractères, le service en garde {limit} au plus : corrigez-le dans SIECLE.",
        "Line {line}: {element} of the student {last_name} {first_name} (INE {national_student_id}) "
        "is {length} characters long, the service keeps {limit} at most: fix it in SIECLE.",
    ),
    # Errors on the whole file.
    "UAI_MISMATCH": (
        "Ce fichier n'est pas l'export SIECLE de votre établissement (UAI {expected_uai}). "
        "Vérifiez que vous avez exporté les élèves de votre établissement.",
        "This file is not the SIECLE export of your school (UAI {expected_uai}). Check that you "
        "exported the students of your own school.",
    ),
    "INVALID_ENCODING": (
        "Le fichier contient des caractères illisibles dans son encodage déclaré ({encoding}). "
        "Envoyez le fichier tel que SIECLE l'a produit, sans l'ouvrir ni le réenregistrer.",
        "The file holds characters that cannot be read in its declared encoding ({encoding}). "
        "Send the file as SIECLE produced it, without opening or saving it again.",
    ),
    "INVALID_ZIP": (
        "L'archive zip est illisible ou ne contient pas exactement un fichier XML. Envoyez le "
        "fichier ElevesSansAdresses.xml, ou le zip tel que SIECLE le fournit.",
        "The zip archive cannot be read or does not hold exactly one XML file. Send the "
        "ElevesSansAdresses.xml file, or the zip as SIECLE provides it.",
    ),
    "MALFORMED_XML": (
        "Le fichier est incomplet ou abîmé (ligne {line}). Refaites l'export depuis SIECLE et "
        "envoyez-le sans le modifier.",
        "The file is incomplete or damaged (line {line}). Export it again from SIECLE and send it unchanged.",
    ),
    "FORBIDDEN_XML_CONSTRUCT": (
        "Le fichier contient des instructions XML (DOCTYPE ou entités) qu'un export SIECLE ne "
        "contient jamais : il est refusé par sécurité.",
        "The file holds XML instructions (DOCTYPE or entities) that a SIECLE export never holds: "
        "it is refused for safety.",
    ),
    "NO_STUDENTS": (
        "Aucun élève à importer : {causes}.",
        "No student to import: {causes}.",
    ),
    # Reasons for skipping a student.
    "LEFT_SCHOOL": (
        "Ligne {line} : {last_name} {first_name} a quitté l'établissement (date de sortie "
        "renseignée) et n'est pas importé.",
        "Line {line}: {last_name} {first_name} has left the school (exit date set) and is not imported.",
    ),
    "MISSING_NATIONAL_STUDENT_ID": (
        "Ligne {line} : {last_name} {first_name} n'a pas encore d'INE et n'est pas importé.",
        "Line {line}: {last_name} {first_name} has no INE yet and is not imported.",
    ),
    "NO_DIVISION": (
        "Ligne {line} : {last_name} {first_name} n'est inscrit dans aucune classe et n'est pas importé.",
        "Line {line}: {last_name} {first_name} is in no class and is not imported.",
    ),
    # Warnings (the import goes on).
    "BIRTH_CITY_CODE_MISSING": (
        "Ligne {line} : {last_name} {first_name}, né(e) en France, n'a pas de code INSEE de "
        "commune de naissance.",
        "Line {line}: {last_name} {first_name}, born in France, has no INSEE code for the birth town.",
    ),
    "SEVERAL_DIVISIONS": (
        "Ligne {line} : {last_name} {first_name} est inscrit dans plusieurs classes ; la "
        "première, {division}, est retenue.",
        "Line {line}: {last_name} {first_name} is in several classes; the first one, {division}, is kept.",
    ),
    "DOUBLE_ENCODED_NAME": (
        "Ligne {line} : les nom et prénom « {last_name} {first_name} » semblent mal encodés "
        "(par exemple « Ã© » au lieu de « é ») : le fichier a sans doute été réenregistré. "
        "Vérifiez-les ou refaites l'export depuis SIECLE.",
        "Line {line}: the names “{last_name} {first_name}” look wrongly encoded (for instance "
        "“Ã©” instead of “é”): the file was probably saved again. Check them or export the file "
        "again from SIECLE.",
    ),
    "ACCOUNT_KEPT_ELSEWHERE": (
        "Ligne {line} : {last_name} {first_name} (INE {national_student_id}) a déjà un compte Pix, "
        "rattaché à une inscription encore active dans un autre établissement : ce compte n'est pas "
        "rattaché ici. L'élève reste sans compte dans votre établissement tant que l'autre "
        "établissement ne l'a pas retiré de son import.",
        "Line {line}: {last_name} {first_name} (INE {national_student_id}) already has a Pix account, "
        "attached to an enrolment still active at another school: that account is not attached here. "
        "The student stays without an account at your school until the other school removes them "
        "from its import.",
    ),
    # Refusals of the upload itself (not items, but rendered the same way).
    "FILE_TOO_LARGE": (
        "Le fichier dépasse la taille maximale autorisée ({limit_mb} Mo).",
        "The file is larger than allowed ({limit_mb} MB).",
    ),
    "TOO_MANY_STUDENTS": (
        "Le fichier contient plus de {limit} élèves : ce n'est pas l'export SIECLE d'un seul établissement.",
        "The file holds more than {limit} students: it is not the SIECLE export of one school.",
    ),
    "UNSUPPORTED_FILE_TYPE": (
        "Ce fichier n'est ni un export SIECLE (XML ou zip), ni un fichier CSV, ni une liste JSON. "
        "Un classeur Excel ou LibreOffice doit d'abord être enregistré au format « CSV UTF-8 ».",
        "This file is neither a SIECLE export (XML or zip), nor a CSV file, nor a JSON list. "
        "An Excel or LibreOffice workbook must first be saved as “CSV UTF-8”.",
    ),
}

ROSTER_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # ``{where}`` (the CSV line or the JSON index), ``{who}`` (names and identifier, as known),
    # ``{column_ref}`` (the CSV column or JSON field of ``field``) are filled by ``roster_detail``.
    "MISSING_NATIONAL_STUDENT_ID": (
        "{where} : {who} n'a pas d'identifiant unique ({column_ref}).",
        "{where}: {who} has no unique identifier ({column_ref}).",
    ),
    "DUPLICATE_NATIONAL_STUDENT_ID": (
        "{where} : l'identifiant {national_student_id} ({names}) figure déjà {first}. Chaque élève "
        "doit avoir son propre identifiant.",
        "{where}: the identifier {national_student_id} ({names}) already appears {first}. Each "
        "pupil must have their own identifier.",
    ),
    "MISSING_FIRST_NAME": (
        "{where} : {who} n'a pas de prénom ({column_ref}).",
        "{where}: {who} has no first name ({column_ref}).",
    ),
    "MISSING_LAST_NAME": (
        "{where} : {who} n'a pas de nom de famille ({column_ref}).",
        "{where}: {who} has no family name ({column_ref}).",
    ),
    "MISSING_BIRTHDATE": (
        "{where} : {who} n'a pas de date de naissance ({column_ref}).",
        "{where}: {who} has no birth date ({column_ref}).",
    ),
    "INVALID_BIRTHDATE": (
        "{where} : la date de naissance « {value} » de {who} n'est pas une date passée valide au "
        "format {date_format}.",
        "{where}: the birth date “{value}” of {who} is not a valid past date in the {date_format} format.",
    ),
    "MISSING_DIVISION": (
        "{where} : {who} n'a pas de classe ({column_ref}).",
        "{where}: {who} has no class ({column_ref}).",
    ),
    "VALUE_TOO_LONG": (
        "{where} : la valeur de {column_ref} de {who} dépasse {limit} caractères.",
        "{where}: the value of {column_ref} of {who} is longer than {limit} characters.",
    ),
    "INVALID_FIELD": (
        "{where} : la valeur de {column_ref} de {who} doit être un texte.",
        "{where}: the value of {column_ref} of {who} must be a text.",
    ),
    "INVALID_ENTRY": (
        "{where} : cette entrée de la liste « students » n'est pas un objet JSON.",
        "{where}: this entry of the “students” list is not a JSON object.",
    ),
    "INVALID_DOCUMENT": (
        "Le JSON doit être un objet dont le champ « students » est la liste des élèves.",
        "The JSON must be an object whose “students” field is the list of pupils.",
    ),
    "MISSING_COLUMN": (
        "La colonne obligatoire « {column} » manque dans l'en-tête (ligne 1). Téléchargez le modèle "
        "pour voir les colonnes attendues.",
        "The required column “{column}” is missing from the header (line 1). Download the template "
        "to see the expected columns.",
    ),
    "MALFORMED_CSV": (
        "Ligne {line} : le fichier CSV est mal formé (guillemet non refermé, ligne ou en-tête trop "
        "long). Enregistrez-le à nouveau au format CSV depuis votre tableur.",
        "Line {line}: the CSV file is malformed (a quote not closed, a line or header too long). "
        "Save it again as CSV from your spreadsheet.",
    ),
    "MALFORMED_JSON": (
        "Le fichier n'est pas une liste JSON lisible{position}.",
        "The file is not a readable JSON list{position}.",
    ),
    "INVALID_ENCODING": (
        "Ligne {line} : le fichier contient des caractères illisibles ({encoding}). Enregistrez-le "
        "au format « CSV UTF-8 » depuis votre tableur.",
        "Line {line}: the file holds characters that cannot be read ({encoding}). Save it as “CSV "
        "UTF-8” from your spreadsheet.",
    ),
    "UNKNOWN_COLUMN": (
        "La colonne « {column} » (position {position}) n'est pas reconnue : elle est ignorée.",
        "The column “{column}” (position {position}) is not recognised: it is ignored.",
    ),
    "DOUBLE_ENCODED_NAME": (
        "{where} : les nom et prénom « {last_name} {first_name} » (identifiant "
        "{national_student_id}) semblent mal encodés (par exemple "
        "« Ã© » au lieu de « é ») : le fichier a sans doute été enregistré dans un autre encodage. "
        "Vérifiez-les, ou enregistrez le fichier au format « CSV UTF-8 ».",
        "{where}: the names “{last_name} {first_name}” (identifier {national_student_id}) look "
        "wrongly encoded (for instance “Ã©” "
        "instead of “é”): the file was probably saved in another encoding. Check them, or save the "
        "file as “CSV UTF-8”.",
    ),
    "ACCOUNT_KEPT_ELSEWHERE": (
        "{where} : {who} a déjà un compte Pix, rattaché à une inscription encore active dans un "
        "autre établissement : ce compte n'est pas rattaché ici. L'élève reste sans compte dans votre "
        "établissement tant que l'autre établissement ne l'a pas retiré de son import.",
        "{where}: {who} already has a Pix account, attached to an enrolment still active at another "
        "school: that account is not attached here. The pupil stays without an account at your "
        "school until the other school removes them from its import.",
    ),
}
"""The sentences of a CSV or JSON roster's items; the codes not here read as SIECLE's do."""

_NO_STUDENTS_CAUSES: Final = {
    # reason: (French singular verb phrase, French plural count phrase, English ones)
    "LEFT_SCHOOL": (
        "a quitté l'établissement",
        "{n} ayant quitté l'établissement",
        "has left the school",
        "{n} who left the school",
    ),
    "MISSING_NATIONAL_STUDENT_ID": ("n'a pas d'INE", "{n} sans INE", "has no INE", "{n} without INE"),
    "NO_DIVISION": (
        "n'est dans aucune classe",
        "{n} dans aucune classe",
        "is in no class",
        "{n} in no class",
    ),
}

ITEM_FIELDS: Final = ("line", "national_student_id", "field", "last_name", "first_name", "reason")

MAX_ITEM_TEXT: Final = 100
"""Characters of a file's text shown in a report item (a real name or code is far shorter)."""
MAX_ITEM_LIST: Final = 20


def bounded_item(value: Any) -> Any:
    """An item of a report with every text from the file cut to ``MAX_ITEM_TEXT`` characters (``…``
    marks the cut) and every list to ``MAX_ITEM_LIST`` values: a report of 1,000 items stays small
    whatever the file holds."""
    if isinstance(value, str) and len(value) > MAX_ITEM_TEXT:
        return value[: MAX_ITEM_TEXT - 1] + "…"
    if isinstance(value, list | tuple):
        return [bounded_item(inner) for inner in value[:MAX_ITEM_LIST]]
    if isinstance(value, Mapping):
        return {key: bounded_item(inner) for key, inner in value.items()}
    return value


def bounded_entry(entry: Any) -> Any:
    """``bounded_item`` of a report's entry (a flat dataclass), field by field: ``dataclasses.asdict``
    would first deep-copy every field, which ``bounded_item`` copies anyway (half the time of
    rendering a report)."""
    return bounded_item({field.name: getattr(entry, field.name) for field in dataclasses.fields(entry)})


class _Blank(dict[str, Any]):
    """Format values where a missing field shows as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER: Final = string.Formatter()

SIECLE_ELEMENT_OF_FIELD: Final = {
    "national_student_id": "ID_NATIONAL",
    "last_name": "NOM_DE_FAMILLE",
    "preferred_last_name": "NOM_USAGE",
    "first_name": "PRENOM",
    "middle_name": "PRENOM2",
    "third_name": "PRENOM3",
    "division": "CODE_STRUCTURE",
}
"""The element of a SIECLE export that gives each field a message names."""


def siecle_detail(item: Mapping[str, Any], language: Language = "fr") -> str:
    """The ``detail`` of an error, skipped entry or warning item, from its ``code``."""
    code = str(item.get("code") or item.get("reason") or "")  # skipped entries carry a reason
    templates = SIECLE_MESSAGES.get(code)
    if templates is None:
        return code
    values = _values(item)
    if code == "NO_STUDENTS":
        values["causes"] = _no_students_causes(item.get("meta") or {}, language)
    if code == "VALUE_TOO_LONG":
        element = SIECLE_ELEMENT_OF_FIELD.get(str(item.get("field")), str(item.get("field")))
        values["element"] = f"le champ {element}" if language == "fr" else f"the field {element}"
    template = templates[0] if language == "fr" else templates[1]
    return _FORMATTER.vformat(template, (), values)


def roster_detail(item: Mapping[str, Any], language: Language = "fr") -> str:
    """The ``detail`` of an item of a CSV or JSON roster: each names its place (the CSV line, or
    the JSON index) and the pupil (names and identifier, those given)."""
    code = str(item.get("code") or item.get("reason") or "")
    meta = item.get("meta") or {}
    if code == "INVALID_FIELD" and item.get("field") is None:
        code = "INVALID_DOCUMENT" if meta.get("field") == "students" else "INVALID_ENTRY"
    templates = ROSTER_MESSAGES.get(code)
    if templates is None:
        return siecle_detail(item, language)
    french = language == "fr"
    values = _values(item)
    line, index = item.get("line"), meta.get("index")
    names = " ".join(str(item[key]) for key in ("last_name", "first_name") if item.get(key))
    identifier = item.get("national_student_id")
    values["names"] = names
    values["where"] = _where(line, index, french)
    values["who"] = _who(names, identifier, french)
    values["column_ref"] = _column_ref(item.get("field"), index is not None or line is None, french)
    values["date_format"] = (
        ("AAAA-MM-JJ" if french else "YYYY-MM-DD")
        if line is None
        else ("JJ/MM/AAAA" if french else "DD/MM/YYYY")
    )
    first_line, first_index = meta.get("first_line"), meta.get("first_index")
    if first_line is not None:
        values["first"] = f"ligne {first_line}" if french else f"on line {first_line}"
    elif first_index is not None:
        values["first"] = f"à l'index {first_index}" if french else f"at index {first_index}"
    if code == "MALFORMED_JSON":
        column = meta.get("column")
        values["position"] = (
            ""
            if line is None
            else (f" (ligne {line}, colonne {column})" if french else f" (line {line}, column {column})")
        )
    return _FORMATTER.vformat(templates[0] if french else templates[1], (), values)


def item_detail(item: Mapping[str, Any], language: Language, roster: bool) -> str:
    """``roster_detail`` for the items of a CSV or JSON roster, ``siecle_detail`` for SIECLE's."""
    return roster_detail(item, language) if roster else siecle_detail(item, language)


def _values(item: Mapping[str, Any]) -> _Blank:
    values = _Blank({key: "" if value is None else value for key, value in (item.get("meta") or {}).items()})
    values.update({key: "" if item.get(key) is None else item[key] for key in ITEM_FIELDS if key in item})
    return values


def _where(line: Any, index: Any, french: bool) -> str:
    if line is not None:
        return f"Ligne {line}" if french else f"Line {line}"
    return f"Élève d'index {index}" if french else f"Entry at index {index}"


def _who(names: str, identifier: Any, french: bool) -> str:
    if names and identifier:
        return (
            f"l'élève {names} (identifiant {identifier})"
            if french
            else f"the pupil {names} (identifier {identifier})"
        )
    if names:
        return f"l'élève {names} (sans identifiant)" if french else f"the pupil {names} (no identifier)"
    if identifier:
        return f"l'élève d'identifiant {identifier}" if french else f"the pupil with identifier {identifier}"
    return "cet élève (ni nom ni identifiant)" if french else "this pupil (no name, no identifier)"


def _column_ref(field: Any, json: bool, french: bool) -> str:
    if field is None:
        return ""
    if json:
        return f"champ « {field} »" if french else f"field “{field}”"
    column = COLUMN_OF_FIELD.get(str(field), str(field))
    return f"colonne « {column} »" if french else f"column “{column}”"


def _no_students_causes(meta: Mapping[str, Any], language: Language) -> str:
    """What the file held instead of pupils to import, from ``meta.reasons`` (counts by reason)."""
    french = language == "fr"
    reasons = {str(reason): int(count) for reason, count in (meta.get("reasons") or {}).items()}
    total = sum(reasons.values())
    if total == 0:
        return "le fichier ne contient aucun élève" if french else "the file holds no student"
    phrases = {reason: _NO_STUDENTS_CAUSES.get(reason) for reason in reasons}
    if total == 1:
        reason = next(iter(reasons))
        phrase = phrases[reason]
        verb = (phrase[0] if french else phrase[2]) if phrase else reason
        return f"le seul élève du fichier {verb}" if french else f"the only student of the file {verb}"
    parts = ", ".join(
        ((phrase[1] if french else phrase[3]) if phrase else f"{{n}} {reason}").format(n=count)
        for (reason, count), phrase in zip(reasons.items(), phrases.values(), strict=True)
    )
    if french:
        return f"les {total} élèves du fichier sont écartés ({parts})"
    return f"all {total} students of the file are set aside ({parts})"
