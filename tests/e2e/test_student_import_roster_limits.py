"""What a CSV or JSON roster may cost the server: the same bounds as a SIECLE export (time, answer
size, memory, a server that keeps answering), the cap on rows, and refusals before the body is
read."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_student_import_limits import MAX_ITEMS, MAX_STUDENTS, serve_import
from tests.support.api import API, admin_of_new_organization, bearer, problem, signed_up_token
from tests.support.campaigns import member_token
from tests.support.roster_generator import build_roster, write_csv, write_json

PUPILS = build_roster(MAX_STUDENTS, seed=5)


@pytest.fixture
def school(client, server):
    return admin_of_new_organization(client, server.settings.database_url)


@pytest.mark.parametrize("write", [write_csv, write_json], ids=["csv", "json"])
def test_a_school_of_20000_pupils_is_planned_within_bounds(client, server, school, write):
    org, admin = school

    served = serve_import(client, server, org["id"], admin, write(PUPILS), dry_run="true")

    assert served.response.status_code == 200, served.response.text
    assert served.response.json()["counts"]["created"] == MAX_STUDENTS


def test_a_roster_at_the_cap_lists_the_first_errors_and_counts_them_all(client, server, school):
    org, admin = school
    header = write_csv([]).decode("utf-8-sig")
    nameless = header + ";;;;;;01/01/2009;;;;;;;;1STAV1\r\n" * MAX_STUDENTS

    served = serve_import(client, server, org["id"], admin, nameless.encode(), dry_run="true")

    body = problem(served.response, 422, "INVALID_STUDENT_FILE")
    assert len(body["errors"]) == MAX_ITEMS
    assert body["meta"]["errors_total"] == 3 * MAX_STUDENTS  # identifier, first and last names
    assert all(item["detail"].startswith("Ligne ") for item in body["errors"])


@pytest.mark.parametrize("write", [write_csv, write_json], ids=["csv", "json"])
def test_one_row_more_than_the_cap_is_refused(client, server, school, write):
    org, admin = school
    one_more = [*PUPILS, PUPILS[0]]

    served = serve_import(client, server, org["id"], admin, write(one_more), dry_run="true")

    assert problem(served.response, 413, "TOO_MANY_STUDENTS")["meta"] == {"limit": MAX_STUDENTS}


@pytest.mark.parametrize(
    "hostile",
    [
        b'{"students": [' + b"[" * 500_000 + b"]" * 500_000 + b"]}",
        b'{"students": [' + b"{}," * 3_000_000 + b"{}]}",
        b'{"students": [' + b'"",' * 4_000_000 + b'""]}',
    ],
    ids=["deep nesting", "millions of objects", "millions of strings"],
)
def test_json_that_would_build_millions_of_objects_is_refused_cheaply(client, server, school, hostile):
    org, admin = school

    served = serve_import(client, server, org["id"], admin, hostile, dry_run="true")

    body = problem(served.response, 422, "INVALID_STUDENT_FILE")
    assert [item["code"] for item in body["errors"]] == ["MALFORMED_JSON"]


def test_a_csv_of_a_million_separators_is_refused_cheaply(client, server, school):
    org, admin = school
    hostile = write_csv(PUPILS[:2]) + b";" * 15_000_000 + b"\r\n"

    served = serve_import(client, server, org["id"], admin, hostile, dry_run="true")

    assert problem(served.response, 422, "INVALID_STUDENT_FILE")["errors"][0]["code"] == "MALFORMED_CSV"


def send_json_headers_and_a_little_body(server_url: str, path: str, token: str | None) -> int:
    """POST a JSON roster announcing 15 MB but send 100 bytes of it: the status of the answer, which
    must come without the rest of the body (the socket gives up after 5 s)."""
    address = urlsplit(server_url)
    authorization = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.hostname}\r\n{authorization}"
        f"Content-Type: application/json\r\nContent-Length: {15_000_000}\r\n\r\n"
    )
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(head.encode() + json.dumps({"students": [{"national_student_id": "A"}]}).encode())
        answer = sock.recv(65_536)
    return int(answer.split(b" ", 2)[1])


def test_who_may_not_import_a_json_roster_is_refused_before_it_is_read(client, server, school):
    org, admin = school
    path = f"{API}/organizations/{org['id']}/student-imports"
    member = member_token(client, server.settings.database_url, org["id"], admin, "prof@lycee-agricole.fr")
    _, stranger = signed_up_token(client, "curieux@example.fr")

    assert send_json_headers_and_a_little_body(server.url, path, None) == 401
    assert send_json_headers_and_a_little_body(server.url, path, stranger) == 404
    assert send_json_headers_and_a_little_body(server.url, path, member) == 403
    history = client.get(path, headers=bearer(admin)).json()
    assert history["total"] == 0
