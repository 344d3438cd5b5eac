"""Step 4 with a CSV or JSON roster over HTTP: the same import, report, dry run, threshold, history
and audit as SIECLE; refusals that name the line (or index) and the pupil in both languages; the
template; and ``NO_STUDENTS`` listing what was skipped instead, in every format."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from tests.support.api import API, admin_of_new_organization, bearer, db_execute, problem
from tests.support.campaigns import member_token
from tests.support.roster_generator import CsvShape, build_roster, write_csv, write_json
from tests.support.siecle_generator import GeneratedStudent, write_siecle

PUPILS = build_roster(12, seed=7)


@pytest.fixture
def school(client, server):
    return admin_of_new_organization(client, server.settings.database_url)


def imports_url(org_id: int) -> str:
    return f"{API}/organizations/{org_id}/student-imports"


def upload(client, org_id, token, content: bytes, name="eleves.csv", language="fr", **params):
    return client.post(
        imports_url(org_id),
        params=params,
        files={"file": (name, content, "text/csv")},
        headers={**bearer(token), "Accept-Language": language},
    )


def post_json(client, org_id, token, document: object, **params):
    return client.post(
        imports_url(org_id),
        params=params,
        content=json.dumps(document).encode(),
        headers={**bearer(token), "Content-Type": "application/json"},
    )


def students(client, org_id, token, **params):
    return client.get(
        f"{API}/organizations/{org_id}/students",
        params={"page_size": 200, "include_disabled": "true", **params},
        headers=bearer(token),
    ).json()["items"]


def history(client, org_id, token):
    return client.get(imports_url(org_id), headers=bearer(token)).json()["items"]


def test_a_csv_roster_then_the_same_as_json_then_next_year(client, server, school):
    org, admin = school
    first = upload(
        client, org["id"], admin, write_csv(PUPILS, CsvShape(encoding="cp1252")), name="FREGATA.csv"
    )
    assert first.status_code == 201, first.text
    assert first.json()["counts"] == {
        "created": 12, "updated": 0, "reactivated": 0, "unchanged": 0, "disabled": 0, "skipped": 0,
    }  # fmt: skip
    listed = {s["national_student_id"]: s for s in students(client, org["id"], admin)}
    pupil = PUPILS[0]
    stored = listed[pupil.national_student_id]
    assert (stored["last_name"], stored["first_name"], stored["division"]) == (
        pupil.last_name,
        pupil.first_name,
        pupil.division,
    )
    assert stored["birthdate"] == pupil.birthdate.isoformat()

    again = post_json(client, org["id"], admin, json.loads(write_json(PUPILS)))
    assert again.status_code == 201, again.text
    assert again.json()["counts"]["unchanged"] == 12

    # Next year: two left, one moved up, one new.
    next_year = [
        replace(PUPILS[2], division="TSTAV1"),
        *PUPILS[3:],
        replace(PUPILS[0], national_student_id="NEW1"),
    ]
    rentree = upload(client, org["id"], admin, write_json(next_year), name="eleves.json", dry_run="true")
    assert rentree.status_code == 200, rentree.text
    assert rentree.json()["counts"] == {
        "created": 1, "updated": 1, "reactivated": 0, "unchanged": 9, "disabled": 2, "skipped": 0,
    }  # fmt: skip
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM students") == [(12,)]

    assert [(i["format"], i["filename"], i["status"]) for i in history(client, org["id"], admin)] == [
        ("JSON", None, "COMPLETED"),
        ("CSV", "FREGATA.csv", "COMPLETED"),
    ]
    audit = db_execute(
        server.settings.database_url,
        "SELECT details FROM audit_events WHERE type = 'STUDENTS_IMPORTED' ORDER BY id",
    )
    formats = [(json.loads(d) if isinstance(d, str) else d)["format"] for (d,) in audit]
    assert formats == ["CSV", "JSON"]


def test_a_siecle_school_can_switch_to_a_roster_and_keeps_its_pupils(client, server, school):
    """The identifier matches the stored INE whatever its case: nobody is disabled and created again."""
    org, admin = school
    upload(client, org["id"], admin, write_csv(PUPILS))
    lower = [replace(p, national_student_id=p.national_student_id.lower()) for p in PUPILS]

    body = post_json(client, org["id"], admin, json.loads(write_json(lower))).json()

    assert body["counts"]["unchanged"] == 12 and body["counts"]["created"] == 0


def test_a_large_disable_needs_confirmation_with_a_roster_too(client, server, school):
    org, admin = school
    upload(client, org["id"], admin, write_csv(PUPILS))

    refused = upload(client, org["id"], admin, write_csv(PUPILS[:2]))
    body = problem(refused, 409, "TOO_MANY_STUDENTS_DISABLED")
    assert body["meta"]["counts"]["disabled"] == 10
    confirmed = upload(client, org["id"], admin, write_csv(PUPILS[:2]), confirm_disable="true")

    assert confirmed.status_code == 201, confirmed.text
    assert sum(not s["disabled"] for s in students(client, org["id"], admin)) == 2


def test_a_refused_csv_names_each_line_and_pupil_in_french_and_english(client, server, school):
    org, admin = school
    rows = [
        PUPILS[0],
        replace(PUPILS[1], national_student_id=PUPILS[0].national_student_id),
        replace(PUPILS[2], national_student_id="", last_name="SANSID"),
        replace(PUPILS[3], division=" "),
    ]
    content = write_csv(rows).replace(b"\r\n", b"\r\n", 1)

    french = problem(upload(client, org["id"], admin, content), 422, "INVALID_STUDENT_FILE")
    english = problem(upload(client, org["id"], admin, content, language="en"), 422, "INVALID_STUDENT_FILE")

    identifier = PUPILS[0].national_student_id
    assert [(i["code"], i["line"], i["national_student_id"]) for i in french["errors"]] == [
        ("DUPLICATE_NATIONAL_STUDENT_ID", 3, identifier),
        ("MISSING_NATIONAL_STUDENT_ID", 4, None),
        ("MISSING_DIVISION", 5, PUPILS[3].national_student_id),
    ]
    assert french["errors"][0]["detail"].startswith(f"Ligne 3 : l'identifiant {identifier} (")
    assert "figure déjà ligne 2" in french["errors"][0]["detail"]
    assert english["errors"][0]["detail"].startswith(f"Line 3: the identifier {identifier} (")
    assert french["errors"][1]["detail"] == (
        f"Ligne 4 : l'élève SANSID {PUPILS[2].first_name} (sans identifiant) n'a pas d'identifiant "
        "unique (colonne « Identifiant unique* »)."
    )
    assert "INE" not in french["errors"][1]["detail"] + english["errors"][1]["detail"]
    assert english["errors"][2]["detail"] == (
        f"Line 5: the pupil {PUPILS[3].last_name} {PUPILS[3].first_name} (identifier "
        f"{PUPILS[3].national_student_id}) has no class (column “Division*”)."
    )
    assert "Aucun élève n'a été modifié" in french["detail"]
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM students") == [(0,)]
    assert [(i["status"], i["format"]) for i in history(client, org["id"], admin)] == [
        ("FAILED", "CSV"),
        ("FAILED", "CSV"),
    ]


def test_a_refused_json_roster_names_each_index(client, server, school):
    org, admin = school
    document = json.loads(write_json(PUPILS[:3]))
    document["students"][1]["birthdate"] = "27/07/2009"
    document["students"][2]["first_name"] = 12

    body = problem(post_json(client, org["id"], admin, document), 422, "INVALID_STUDENT_FILE")

    assert [(i["code"], i["line"], i["meta"]["index"]) for i in body["errors"]] == [
        ("INVALID_BIRTHDATE", None, 1),
        ("INVALID_FIELD", None, 2),
    ]
    assert body["errors"][0]["detail"].startswith("Élève d'index 1 : la date de naissance « 27/07/2009 »")
    assert "AAAA-MM-JJ" in body["errors"][0]["detail"]
    assert "champ « first_name »" in body["errors"][1]["detail"]
    assert [i["format"] for i in history(client, org["id"], admin)] == ["JSON"]


def test_a_json_body_that_does_not_parse_is_a_refused_roster(client, server, school):
    org, admin = school
    response = client.post(
        imports_url(org["id"]),
        content=b'{"students": [',
        headers={**bearer(admin), "Content-Type": "application/json"},
    )

    body = problem(response, 422, "INVALID_STUDENT_FILE")
    assert body["errors"][0]["code"] == "MALFORMED_JSON"
    assert body["errors"][0]["detail"].startswith("Le fichier n'est pas une liste JSON lisible (ligne 1")


@pytest.mark.postgresql_only
def test_a_name_postgresql_cannot_store_is_refused_and_nothing_is_written(client, server, school):
    org, admin = school
    pupil = {
        "national_student_id": "123456789AB",
        "first_name": "Zo\u0000é",
        "last_name": "MARTIN",
        "birthdate": "2010-01-01",
        "division": "3A",
    }

    body = problem(post_json(client, org["id"], admin, {"students": [pupil]}), 422, "VALIDATION_ERROR")
    assert body["errors"][0]["code"] == "VALUE_NOT_STORABLE"
    assert students(client, org["id"], admin) == []


def test_missing_columns_and_unknown_ones(client, server, school):
    org, admin = school
    missing = write_csv(PUPILS, CsvShape(columns=["Identifiant unique*", "Nom de famille*", "Division*"]))
    unknown = write_csv(PUPILS, CsvShape(extra_columns=["Régime"]))

    body = problem(upload(client, org["id"], admin, missing), 422, "INVALID_STUDENT_FILE")
    report = upload(client, org["id"], admin, unknown, dry_run="true").json()

    assert [(i["code"], i["line"], i["meta"]["column"]) for i in body["errors"]] == [
        ("MISSING_COLUMN", 1, "Premier prénom*"),
        ("MISSING_COLUMN", 1, "Date de naissance (jj/mm/aaaa)*"),
    ]
    assert "« Premier prénom* » manque" in body["errors"][0]["detail"]
    assert [(w["code"], w["line"], w["meta"]["column"]) for w in report["warnings"]] == [
        ("UNKNOWN_COLUMN", 1, "Régime")
    ]
    assert "« Régime »" in report["warnings"][0]["detail"]


def test_what_is_not_a_list_of_pupils_is_refused(client, server, school):
    org, admin = school
    workbook = b"PK\x03\x04" + b"\x00" * 26  # a truncated zip: no directory
    problem(
        upload(client, org["id"], admin, b"\x00\x01 binary", name="eleves.csv"), 415, "UNSUPPORTED_FILE_TYPE"
    )
    problem(upload(client, org["id"], admin, b""), 415, "UNSUPPORTED_FILE_TYPE")
    body = problem(
        upload(client, org["id"], admin, b"\xd0\xcf\x11\xe0" * 10, name="eleves.xls"),
        415,
        "UNSUPPORTED_FILE_TYPE",
    )
    assert "CSV UTF-8" in body["detail"]
    problem(upload(client, org["id"], admin, workbook, name="eleves.xlsx"), 422, "INVALID_SIECLE_FILE")
    problem(upload(client, org["id"], admin, b"x;" * 11_000_000), 413, "FILE_TOO_LARGE")
    too_large = b'{"students": [' + b" " * 20_000_000 + b"]}"
    response = client.post(
        imports_url(org["id"]),
        content=too_large,
        headers={**bearer(admin), "Content-Type": "application/json"},
    )
    problem(response, 413, "FILE_TOO_LARGE")
    # Newest first; the multipart upload over the cap was stopped as it streamed in, before the import.
    formats = [i["format"] for i in history(client, org["id"], admin)]
    assert formats == [None, "SIECLE_XML", None, None, None]


def test_only_an_administrator_imports_a_json_roster_and_nothing_is_read_before(client, server, school):
    org, admin = school
    member = member_token(client, server.settings.database_url, org["id"], admin, "prof@lycee-agricole.fr")
    document = json.loads(write_json(PUPILS))

    problem(post_json(client, org["id"], member, document), 403, "FORBIDDEN")
    problem(post_json(client, org["id"], member, {"not": "even a roster"}), 403, "FORBIDDEN")
    problem(
        client.post(imports_url(org["id"]), content=b"{", headers={"Content-Type": "application/json"}),
        401,
        "UNAUTHENTICATED",
    )
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM student_imports") == [(0,)]


def test_the_template_opens_in_columns_in_a_french_spreadsheet(client, server, school):
    org, admin = school
    member = member_token(client, server.settings.database_url, org["id"], admin, "prof@lycee-agricole.fr")
    url = f"{imports_url(org['id'])}/template.csv"

    response = client.get(url, headers=bearer(admin))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf") and response.content.endswith(b"\r\n")
    header = response.content.decode("utf-8-sig").rstrip("\r\n").split(";")
    assert header[0] == "Identifiant unique*" and "Division*" in header and len(header) == 15
    # Filled in and sent back, it imports.
    filled = response.content + write_csv(PUPILS[:1]).split(b"\r\n", 1)[1]
    assert upload(client, org["id"], admin, filled).status_code == 201
    problem(client.get(url, headers=bearer(member)), 403, "FORBIDDEN")


def siecle_of_one_pupil(org: dict[str, Any], **fields: Any) -> bytes:
    """The school's SIECLE export holding one pupil, Léa, born on 01/02/2009, in 2NDE1, with
    ``fields``."""
    pupil = GeneratedStudent(
        eleve_id="1", first_name="Léa", birthdate_text="01/02/2009", structures=(("2NDE1", "D"),), **fields
    )
    return write_siecle([pupil], uai=org["uai"]).xml


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_siecle_file_of_only_skipped_pupils_lists_them_and_names_the_real_cause(
    client, server, school, language
):
    """The only pupil is in a class but has no INE: the refusal says so, not that nobody is in a class."""
    org, admin = school
    content = siecle_of_one_pupil(org, kind="no_ine", last_name="SANSINE")

    response = upload(client, org["id"], admin, content, name="ElevesSansAdresses.xml", language=language)

    body = problem(response, 422, "INVALID_SIECLE_FILE")
    [item] = body["errors"]
    assert item["code"] == "NO_STUDENTS"
    assert item["meta"] == {"skipped_total": 1, "reasons": {"MISSING_NATIONAL_STUDENT_ID": 1}}
    assert body["meta"]["skipped_total"] == 1
    [skipped] = body["skipped"]
    assert (skipped["last_name"], skipped["reason"]) == ("SANSINE", "MISSING_NATIONAL_STUDENT_ID")
    assert skipped["line"] > 0 and skipped["detail"]
    if language == "fr":
        assert item["detail"] == "Aucun élève à importer : le seul élève du fichier n'a pas d'INE."
    else:
        assert item["detail"] == "No student to import: the only student of the file has no INE."
        assert "class" not in item["detail"]


def test_an_empty_roster_is_no_students(client, server, school):
    org, admin = school
    body = problem(post_json(client, org["id"], admin, {"students": []}), 422, "INVALID_STUDENT_FILE")
    header_only = problem(upload(client, org["id"], admin, write_csv([])), 422, "INVALID_STUDENT_FILE")

    for refused in (body, header_only):
        [item] = refused["errors"]
        assert item["code"] == "NO_STUDENTS"
        assert item["detail"] == "Aucun élève à importer : le fichier ne contient aucun élève."
        assert "skipped" not in refused


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_siecle_text_longer_than_stored_is_refused_naming_its_line(client, server, school, language):
    """The width of the students table, checked before anything is written: neither cut down nor
    stored whole (SQLite keeps any length), and on PostgreSQL not a refusal that names no line."""
    org, admin = school
    content = siecle_of_one_pupil(org, national_student_id="123456789AB" + "X" * 12, last_name="LONGUE")

    response = upload(client, org["id"], admin, content, name="ElevesSansAdresses.xml", language=language)

    body = problem(response, 422, "INVALID_SIECLE_FILE")
    [item] = body["errors"]
    assert (item["code"], item["field"], item["meta"]) == (
        "VALUE_TOO_LONG",
        "national_student_id",
        {"limit": 20, "length": 23},
    )
    assert item["line"] > 0
    line = item["line"]
    if language == "fr":
        assert item["detail"].startswith(f"Ligne {line} : le champ ID_NATIONAL de l'élève LONGUE Léa")
        assert "a 23 caractères, le service en garde 20 au plus : corrigez-le dans SIECLE." in item["detail"]
    else:
        assert item["detail"].startswith(f"Line {line}: the field ID_NATIONAL of the student LONGUE Léa")
        assert "is 23 characters long, the service keeps 20 at most: fix it in SIECLE." in item["detail"]
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM students") == [(0,)]


def test_a_value_longer_than_stored_is_refused_not_cut(client, server, school):
    org, admin = school
    pupil = replace(PUPILS[0], last_name="L" * 300, birthdate=date(2009, 1, 1))

    body = problem(upload(client, org["id"], admin, write_csv([pupil])), 422, "INVALID_STUDENT_FILE")

    [item] = body["errors"]
    assert (item["code"], item["field"], item["meta"]["limit"]) == ("VALUE_TOO_LONG", "last_name", 255)
    assert len(item["last_name"]) == 100  # the report shows a bounded part of it
