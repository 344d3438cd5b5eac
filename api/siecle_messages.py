"""The ``detail`` of each SIECLE import item, in French and English, for school secretaries.

Each template is filled with ``str.format`` from the item: ``line``, ``national_student_id``,
``field``, ``last_name``, ``first_name`` and the keys of its ``meta``. ``siecle_detail`` renders one
item and never fails on a missing field (it shows as empty).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, Final, Literal

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
        "Aucun élève à importer : le fichier ne contient aucun élève présent dans une classe.",
        "No student to import: the file holds no student currently in a class.",
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
        "Ce fichier n'est ni un fichier XML ni une archive zip. Envoyez le fichier "
        "ElevesSansAdresses.xml exporté de SIECLE.",
        "This file is neither an XML file nor a zip archive. Send the ElevesSansAdresses.xml file "
        "exported from SIECLE.",
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


class _Blank(dict[str, Any]):
    """Format values where a missing field shows as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER: Final = string.Formatter()


def siecle_detail(item: Mapping[str, Any], language: Language = "fr") -> str:
    """The ``detail`` of an error, skipped entry or warning item, from its ``code``."""
    code = str(item.get("code") or item.get("reason") or "")  # skipped entries carry a reason
    templates = SIECLE_MESSAGES.get(code)
    if templates is None:
        return code
    values = _Blank({key: "" if value is None else value for key, value in (item.get("meta") or {}).items()})
    values.update({key: "" if item.get(key) is None else item[key] for key in ITEM_FIELDS if key in item})
    template = templates[0] if language == "fr" else templates[1]
    return _FORMATTER.vformat(template, (), values)
