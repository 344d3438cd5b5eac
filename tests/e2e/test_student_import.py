"""Step 4 over HTTP: the Lycée Pix sample exports (``tests/support/siecle_samples.py``), with the
outcomes their descriptions give."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.support.api import API, admin_of_new_organization, bearer, db_execute, problem
from tests.support.campaigns import member_token
from tests.support.siecle_generator import write_siecle
from tests.support.siecle_samples import PUPILS_2025, SAMPLES, UAI


@pytest.fixture
def school(client, server):
    org, admin = admin_of_new_organization(client, server.settings.database_url)
    return org, admin


def upload(client, org_id, token, content: bytes, name="ElevesSansAdresses.xml", **params):
    return client.post(
        f"{API}/organizations/{org_id}/student-imports",
        params=params,
        files={"file": (name, content, "application/octet-stream")},
        headers=bearer(token),
    )


def sample(name):
    return SAMPLES[name]()


GONE_AT_THE_RENTREE = {
    "CASTAFIORE", "FANDOR", "FOGG", "HADDOCK", "MAIGRET", "MÜNCHHAUSEN", "POIROT", "TOURNESOL",
}  # fmt: skip


def students(client, org_id, token, **params):
    return client.get(
        f"{API}/organizations/{org_id}/students", params={"page_size": 200, **params}, headers=bearer(token)
    ).json()


def test_first_import_then_same_file_then_rentree_then_back(client, school):
    org, admin = school
    first = upload(client, org["id"], admin, sample("ElevesSansAdresses.xml"))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["counts"] == {
        "created": 30,
        "updated": 0,
        "reactivated": 0,
        "unchanged": 0,
        "disabled": 0,
        "skipped": 4,
    }
    assert body["id"] is not None
    assert sorted(s["last_name"] for s in body["skipped"]) == [
        "DORMANT",
        "FANTÔME",
        "MEAULNES",
        "PASSEPARTOUT",
    ]
    assert {s["reason"] for s in body["skipped"]} == {
        "LEFT_SCHOOL",
        "MISSING_NATIONAL_STUDENT_ID",
        "NO_DIVISION",
    }
    assert all(s["detail"] for s in body["skipped"])

    again = upload(client, org["id"], admin, sample("ElevesSansAdresses.xml")).json()
    assert again["counts"] == {
        "created": 0,
        "updated": 0,
        "reactivated": 0,
        "unchanged": 30,
        "disabled": 0,
        "skipped": 4,
    }

    # Next year: 8 of 30 pupils gone (under half: no confirmation needed), the others moved up
    # but one repeating the year, and 4 new ones (2 of them skipped last year).
    rentree = upload(client, org["id"], admin, sample("ElevesSansAdresses-rentree.xml")).json()
    assert rentree["counts"] == {
        "created": 4,
        "updated": 21,
        "reactivated": 0,
        "unchanged": 1,
        "disabled": 8,
        "skipped": 1,
    }
    listed = students(client, org["id"], admin)
    assert "HADDOCK" not in {s["last_name"] for s in listed["items"]}
    with_disabled = students(client, org["id"], admin, include_disabled="true")
    assert {s["last_name"] for s in with_disabled["items"] if s["disabled"]} == GONE_AT_THE_RENTREE
    lupin = next(s for s in listed["items"] if s["last_name"] == "LUPIN")
    assert lupin["division"] == "TG1"

    back = upload(client, org["id"], admin, sample("ElevesSansAdresses.xml")).json()
    assert back["counts"] == {
        "created": 0,
        "updated": 21,
        "reactivated": 8,
        "unchanged": 1,
        "disabled": 4,
        "skipped": 4,
    }

    history = client.get(f"{API}/organizations/{org['id']}/student-imports", headers=bearer(admin)).json()
    assert history["total"] == 4
    assert history["items"][0]["counts"]["reactivated"] == 8
    assert history["items"][0]["filename"] == "ElevesSansAdresses.xml"
    assert history["items"][0]["status"] == "COMPLETED"


def test_zip_as_siecle_gives_it(client, school):
    org, admin = school
    response = upload(client, org["id"], admin, sample("ElevesSansAdresses.zip"), name="export.zip")
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["created"] == 30


def test_a_search_for_a_wildcard_finds_that_character_only(client, school):
    """LIKE wildcards typed in a search stand for themselves: no pupil's name holds them."""
    org, admin = school
    upload(client, org["id"], admin, sample("ElevesSansAdresses.xml"))
    for typed in ("%", "_", "\\"):
        assert students(client, org["id"], admin, search=typed)["total"] == 0, typed


def test_student_list_search_filters_and_divisions(client, school):
    org, admin = school
    upload(client, org["id"], admin, sample("ElevesSansAdresses.xml"))
    listed = students(client, org["id"], admin)
    assert listed["total"] == 30
    names = [(s["last_name"], s["first_name"]) for s in listed["items"]]
    assert names == sorted(names, key=lambda n: (n[0].lower(), n[1].lower()))
    turing = next(s for s in listed["items"] if s["last_name"] == "TURING")
    assert turing["birthdate"] == "2002-06-23"
    assert turing["linked"] is False
    assert turing["username"] is None
    by_accent = students(client, org["id"], admin, search="jean-emile")["items"]
    assert [s["last_name"] for s in by_accent] == ["DE LA MOLE"]
    assert [s["last_name"] for s in students(client, org["id"], admin, search="ZOÉ")["items"]] == [
        "D'ARTAGNAN"
    ]
    divisions = client.get(f"{API}/organizations/{org['id']}/divisions", headers=bearer(admin)).json()
    assert divisions == sorted(divisions)
    assert "Inactifs" not in divisions
    one = divisions[0]
    assert {s["division"] for s in students(client, org["id"], admin, division=one)["items"]} == {one}
    assert students(client, org["id"], admin, linked="true")["total"] == 0
    paged = client.get(
        f"{API}/organizations/{org['id']}/students", params={"page": 2, "page_size": 5}, headers=bearer(admin)
    ).json()
    assert [s["id"] for s in paged["items"]] == [s["id"] for s in listed["items"][5:10]]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("erreur-uai-autre.xml", ["UAI_MISMATCH"]),
        ("erreur-sans-uai.xml", ["UAI_MISMATCH"]),
        ("erreur-ine-double.xml", ["DUPLICATE_NATIONAL_STUDENT_ID"]),
        (
            "erreur-champs.xml",
            ["INVALID_BIRTHDATE", "INVALID_BIRTHDATE", "MISSING_BIRTHDATE", "MISSING_LAST_NAME"],
        ),
        ("erreur-tronque.xml", ["MALFORMED_XML"]),
    ],
)
def test_refused_samples_change_nothing(client, server, school, name, codes):
    org, admin = school
    response = upload(client, org["id"], admin, sample(name))
    body = problem(response, 422, "INVALID_SIECLE_FILE")
    assert sorted(item["code"] for item in body["errors"]) == codes
    assert all(item["detail"] for item in body["errors"])
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM students") == [(0,)]
    history = client.get(f"{API}/organizations/{org['id']}/student-imports", headers=bearer(admin)).json()
    assert [(i["status"], i["counts"]) for i in history["items"]] == [("FAILED", {})]


def test_duplicate_ine_names_both_lines(client, school):
    org, admin = school
    body = upload(client, org["id"], admin, sample("erreur-ine-double.xml")).json()
    (item,) = body["errors"]
    assert item["national_student_id"] == "000003001PX"
    assert item["meta"]["first_line"] < item["line"]


def test_dry_run_writes_nothing(client, server, school):
    org, admin = school
    response = upload(client, org["id"], admin, sample("ElevesSansAdresses.xml"), dry_run="true")
    assert response.status_code == 200
    assert response.json()["id"] is None
    assert response.json()["dry_run"] is True
    assert response.json()["counts"]["created"] == 30
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM students") == [(0,)]
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM student_imports") == [(0,)]


def test_large_disable_needs_confirmation(client, server, school):
    org, admin = school
    upload(client, org["id"], admin, sample("ElevesSansAdresses.xml"))
    # only the first pupil of the file: 29 of 30 students would be disabled
    small = write_siecle(PUPILS_2025[:1], uai=UAI).xml
    preview = upload(client, org["id"], admin, small, dry_run="true")
    assert preview.status_code == 200, preview.text
    assert preview.json()["requires_confirmation"] is True
    refused = problem(upload(client, org["id"], admin, small), 409, "TOO_MANY_STUDENTS_DISABLED")
    assert refused["meta"]["counts"]["disabled"] == preview.json()["counts"]["disabled"]
    assert db_execute(
        server.settings.database_url, "SELECT count(*) FROM students WHERE disabled_at IS NULL"
    ) == [(30,)]
    confirmed = upload(client, org["id"], admin, small, confirm_disable="true")
    assert confirmed.status_code == 201
    assert db_execute(
        server.settings.database_url, "SELECT count(*) FROM students WHERE disabled_at IS NULL"
    ) == [(1,)]


def test_file_types_and_caps(client, server, school):
    org, admin = school
    problem(
        upload(client, org["id"], admin, b"%PDF-1.7 not an export", name="eleves.xml"),
        415,
        "UNSUPPORTED_FILE_TYPE",
    )
    empty_zip = io.BytesIO()
    zipfile.ZipFile(empty_zip, "w").close()
    body = problem(
        upload(client, org["id"], admin, empty_zip.getvalue(), name="e.zip"), 422, "INVALID_SIECLE_FILE"
    )
    assert body["errors"][0]["code"] == "INVALID_ZIP"
    problem(upload(client, org["id"], admin, b"<" + b" " * 30_000_000), 413, "FILE_TOO_LARGE")
    response = client.post(f"{API}/organizations/{org['id']}/student-imports", headers=bearer(admin))
    problem(response, 422, "VALIDATION_ERROR")


def test_a_broken_multipart_body_is_a_bad_request_and_not_an_import(client, server, school):
    org, admin = school
    response = client.post(
        f"{API}/organizations/{org['id']}/student-imports",
        content=b"--frontier\r\nContent-Disposition: form-data; name=file; filename=e.xml\r\n\r\n<BEE_"
        + b"\r\n--frontier\r\nContent-Disposition: form-data; name=file; filename=f.xml\r\n\r\nx"
        + b"\r\n--frontier--\r\n",
        headers={**bearer(admin), "Content-Type": "multipart/form-data; boundary=frontier"},
    )
    problem(response, 400, "BAD_REQUEST")
    history = client.get(f"{API}/organizations/{org['id']}/student-imports", headers=bearer(admin))
    assert history.json()["total"] == 0
    form = client.post(
        f"{API}/organizations/{org['id']}/student-imports",
        data={"file": "a field, not a file"},
        headers=bearer(admin),
    )
    problem(form, 422, "VALIDATION_ERROR")


def test_who_may_import(client, server, school):
    org, admin = school
    member = member_token(client, server.settings.database_url, org["id"], admin, "prof@gmail.com")
    problem(upload(client, org["id"], member, sample("ElevesSansAdresses.xml")), 403, "FORBIDDEN")
    assert students(client, org["id"], member)["total"] == 0
    problem(
        client.get(f"{API}/organizations/{org['id']}/student-imports", headers=bearer(member)),
        403,
        "FORBIDDEN",
    )


def test_organization_not_managing_students(client, server):
    org, admin = admin_of_new_organization(
        client, server.settings.database_url, type="PRO", uai=None, is_managing_students=False
    )
    problem(upload(client, org["id"], admin, b"<BEE_ELEVES/>"), 403, "FORBIDDEN")
