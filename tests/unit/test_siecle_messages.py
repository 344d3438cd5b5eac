"""Every SIECLE code has a French and an English detail, filled only from what its items carry."""

from __future__ import annotations

import dataclasses
import string
from datetime import date
from typing import Any

import pytest

from api.siecle_messages import SIECLE_MESSAGES, bounded_entry, bounded_item, siecle_detail
from domain.students.errors import (
    FileTooLarge,
    InvalidSiecleFile,
    TooManyStudents,
    UnsupportedFileType,
    issues_as_dicts,
)
from domain.students.import_students import plan_returning_accounts
from domain.students.ports import AccountElsewhere
from domain.students.siecle import (
    SiecleEntry,
    SiecleFile,
    SiecleIssue,
    SiecleWarning,
    SkippedEntry,
    check_siecle_file,
)

TODAY = date(2025, 9, 10)


def entry(line: int, **fields: Any) -> SiecleEntry:
    values: dict[str, Any] = {
        "national_student_id": f"{line:09d}AA",
        "last_name": "MARTIN",
        "first_name": "Zoé",
        "birthdate_text": "01/02/2008",
        "birth_country_code": "100",
        "birth_city_code": "75115",
        "divisions": ("2NDE1",),
    } | fields
    return SiecleEntry(line=line, **values)


def domain_items() -> list[dict[str, Any]]:
    """One item of every code the check produces: errors, skipped entries and warnings."""
    report = check_siecle_file(
        SiecleFile(
            uai="0751234A",
            entries=[
                entry(6, national_student_id="111111111AA"),
                entry(
                    22,
                    national_student_id="111111111AA",
                    first_name=None,
                    last_name=None,
                    birthdate_text=None,
                ),
                entry(38, birthdate_text="31/02/2008"),
                entry(54, left_at_text="01/06/2025"),
                entry(70, national_student_id=None),
                entry(86, divisions=()),
                entry(102, birth_city_code=None, divisions=("1G1", "1G2"), last_name="MÃœLLER"),
                entry(118, first_name="É" * 256),
            ],
        ),
        "0751234A",
        TODAY,
    )
    items = issues_as_dicts(report.errors)
    items += [dataclasses.asdict(skipped) for skipped in report.skipped]
    items += [dataclasses.asdict(warning) for warning in report.warnings]
    kept = report.records[:1]
    in_use = {7: frozenset({2})}
    _, kept_elsewhere = plan_returning_accounts(
        1, kept, [AccountElsewhere(kept[0].national_student_id, kept[0].birthdate, 7)], in_use
    )
    items += [dataclasses.asdict(warning) for warning in kept_elsewhere]
    items += issues_as_dicts(check_siecle_file(SiecleFile(uai=None, entries=[]), "0751234A", TODAY).errors)
    items += issues_as_dicts(
        check_siecle_file(SiecleFile(uai="0751234A", entries=[]), "0751234A", TODAY).errors
    )
    return items


def file_items() -> list[dict[str, Any]]:
    """The reader's file-level items, and its two refusals of the upload itself."""
    singles = [
        InvalidSiecleFile.single("INVALID_ENCODING", encoding="UTF-8"),
        InvalidSiecleFile.single("INVALID_ZIP", reason="expected exactly one .xml", xml_entries=2),
        InvalidSiecleFile.single("MALFORMED_XML", line=36),
        InvalidSiecleFile.single("FORBIDDEN_XML_CONSTRUCT"),
    ]
    items = [error.errors[0] for error in singles if error.errors]
    items.append({"code": FileTooLarge.code, "meta": FileTooLarge(20_000_000).meta})
    items.append({"code": UnsupportedFileType.code, "meta": UnsupportedFileType().meta})
    items.append({"code": TooManyStudents.code, "meta": TooManyStudents(20_000).meta})
    return items


COMPUTED = {"NO_STUDENTS": {"causes"}, "VALUE_TOO_LONG": {"element"}}
"""Values a sentence computes from its item (``causes``: from ``meta.reasons``; ``element``: the
SIECLE element of ``field``)."""


def code_of(item: dict[str, Any]) -> str:
    return str(item.get("code") or item.get("reason"))


def test_every_code_has_a_french_and_an_english_detail() -> None:
    codes = {code_of(item) for item in domain_items() + file_items()}

    assert codes == set(SIECLE_MESSAGES)
    for french, english in SIECLE_MESSAGES.values():
        assert french.strip() and english.strip() and french != english


@pytest.mark.parametrize("item", domain_items() + file_items(), ids=code_of)
def test_a_template_uses_only_what_its_item_carries(item: dict[str, Any]) -> None:
    available = set(item) | set(item.get("meta") or {}) | COMPUTED.get(code_of(item), set())
    for template in SIECLE_MESSAGES[code_of(item)]:
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert used <= available, f"{code_of(item)} uses {used - available}"
        assert "{" not in siecle_detail(item, "fr") + siecle_detail(item, "en")


def test_an_invalid_birthdate_reads_plainly_for_a_school_secretary() -> None:
    item = {
        "code": "INVALID_BIRTHDATE",
        "line": 22,
        "national_student_id": "222222222AB",
        "field": "birthdate",
        "last_name": "DATE",
        "first_name": "Impossible",
        "meta": {"value": "31/02/2008"},
    }

    assert siecle_detail(item, "fr") == (
        "Ligne 22 : la date de naissance « 31/02/2008 » de l'élève DATE Impossible "
        "(INE 222222222AB) n'est pas une date valide au format JJ/MM/AAAA."
    )
    assert "DD/MM/YYYY" in siecle_detail(item, "en")


def test_a_skipped_entry_is_rendered_from_its_reason_and_a_missing_value_shows_empty() -> None:
    item = {
        "line": 183,
        "national_student_id": None,
        "last_name": "ARRIVANT",
        "first_name": "Inès",
        "reason": "MISSING_NATIONAL_STUDENT_ID",
    }

    assert siecle_detail(item, "fr") == "Ligne 183 : ARRIVANT Inès n'a pas encore d'INE et n'est pas importé."
    assert siecle_detail({"code": "MALFORMED_XML", "line": None, "meta": {}}, "en").startswith(
        "The file is incomplete or damaged (line )"
    )
    assert siecle_detail({"code": "SOMETHING_NEW"}) == "SOMETHING_NEW"


def test_no_students_names_the_causes_actually_found() -> None:
    only_one = {
        "code": "NO_STUDENTS",
        "meta": {"skipped_total": 1, "reasons": {"MISSING_NATIONAL_STUDENT_ID": 1}},
    }
    several = {
        "code": "NO_STUDENTS",
        "meta": {
            "skipped_total": 5,
            "reasons": {"LEFT_SCHOOL": 1, "MISSING_NATIONAL_STUDENT_ID": 3, "NO_DIVISION": 1},
        },
    }
    empty = {"code": "NO_STUDENTS", "meta": {"skipped_total": 0, "reasons": {}}}

    assert siecle_detail(only_one, "fr") == "Aucun élève à importer : le seul élève du fichier n'a pas d'INE."
    assert siecle_detail(only_one, "en") == "No student to import: the only student of the file has no INE."
    assert "classe" not in siecle_detail(only_one, "fr")
    assert siecle_detail(several, "fr") == (
        "Aucun élève à importer : les 5 élèves du fichier sont écartés (1 ayant quitté "
        "l'établissement, 3 sans INE, 1 dans aucune classe)."
    )
    assert siecle_detail(several, "en") == (
        "No student to import: all 5 students of the file are set aside (1 who left the school, "
        "3 without INE, 1 in no class)."
    )
    assert siecle_detail(empty, "fr") == "Aucun élève à importer : le fichier ne contient aucun élève."


@pytest.mark.parametrize(
    "item",
    [
        SkippedEntry(
            line=3, national_student_id="123456789AA", last_name="É" * 300, first_name=None, reason="x"
        ),
        SiecleWarning(
            "SEVERAL_DIVISIONS",
            7,
            None,
            {"last_name": "Turing", "divisions": [f"{n}A" for n in range(40)], "nested": {"k": ("a" * 150,)}},
        ),
        SiecleIssue(code="INVALID_BIRTHDATE", line=2, field="birthdate", meta={"value": "31/02/2012"}),
    ],
)
def test_a_report_item_is_bounded_as_its_dataclass_copy_would_be(item: Any) -> None:
    assert bounded_entry(item) == bounded_item(dataclasses.asdict(item))
