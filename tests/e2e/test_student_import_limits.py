"""What one upload may cost the server: who is refused before the body is read, the cap on entries,
bounded reports, and a server that keeps answering while a hostile file is being served."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.api import API, admin_of_new_organization, bearer, problem, signed_up_token
from tests.support.campaigns import member_token
from tests.support.hostile_files import (
    long_named_students,
    nameless_students,
    one_student_and_skipped,
    one_student_in_many_classes,
    structures_of_nobody,
    zip_of,
)
from tests.support.memory import MB, measure_peak
from tests.support.siecle_generator import generate_siecle

MAX_STUDENTS = 20_000  # the default of IMPORT_MAX_STUDENTS
MAX_ITEMS = 1_000
MAX_SECONDS = 30
MAX_ANSWER_BYTES = 5 * MB
MAX_MEMORY_BYTES = 300 * MB
MAX_HEALTH_SECONDS = 1.0


@pytest.fixture
def school(client, server):
    return admin_of_new_organization(client, server.settings.database_url)


@dataclass
class Health:
    """``/health/live`` asked again and again from another thread while a request is served."""

    latencies: list[float] = field(default_factory=list)

    @property
    def worst(self) -> float:
        return max(self.latencies)


@contextmanager
def watching_health(base_url: str) -> Iterator[Health]:
    health, stop, polling = Health(), threading.Event(), threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            while not stop.is_set():
                start = time.monotonic()
                assert http.get("/health/live").status_code == 200
                health.latencies.append(time.monotonic() - start)
                polling.set()
                stop.wait(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    # The request goes only once the poll runs: a refusal can be quicker than one poll.
    assert polling.wait(30)
    try:
        yield health
    finally:
        stop.set()
        thread.join()


@dataclass
class Served:
    response: httpx.Response
    seconds: float
    memory_bytes: int
    health_seconds: float

    def __str__(self) -> str:
        return (
            f"{self.response.status_code} in {self.seconds:.1f} s, "
            f"answer {len(self.response.content) / MB:.2f} MB, "
            f"memory +{self.memory_bytes / MB:.0f} MB, /health/live at worst {self.health_seconds:.2f} s"
        )


def serve_import(client, server, org_id: int, token: str, content: bytes, **params: str) -> Served:
    with watching_health(server.url) as health, measure_peak(trace_python=False) as peak:
        start = time.monotonic()
        response = client.post(
            f"{API}/organizations/{org_id}/student-imports",
            params=params,
            files={"file": ("ElevesSansAdresses.zip", content, "application/octet-stream")},
            headers=bearer(token),
            timeout=120,
        )
        seconds = time.monotonic() - start
    served = Served(response, seconds, peak.process_bytes or 0, health.worst)
    print(served)  # the measured figures, shown with -s
    assert served.seconds < MAX_SECONDS, served
    assert len(response.content) < MAX_ANSWER_BYTES, served
    assert served.memory_bytes < MAX_MEMORY_BYTES, served
    assert served.health_seconds < MAX_HEALTH_SECONDS, served
    return served


def test_a_tiny_zip_of_300000_nameless_students_is_refused_cheaply(client, server, school):
    org, admin = school
    hostile = zip_of([("ElevesSansAdresses.xml", nameless_students(300_000))])
    assert len(hostile) < 100_000

    served = serve_import(client, server, org["id"], admin, hostile, dry_run="true")

    body = problem(served.response, 413, "TOO_MANY_STUDENTS")
    assert body["meta"] == {"limit": MAX_STUDENTS}


def test_a_file_at_the_entry_cap_lists_the_first_errors_and_counts_them_all(client, server, school):
    org, admin = school
    at_cap = zip_of([("ElevesSansAdresses.xml", nameless_students(MAX_STUDENTS))])

    served = serve_import(client, server, org["id"], admin, at_cap, dry_run="true")

    body = problem(served.response, 422, "INVALID_SIECLE_FILE")
    assert len(body["errors"]) == MAX_ITEMS
    # Each entry misses its first name, last name and birthdate; all but the first repeat the INE.
    assert body["meta"]["errors_total"] == 4 * MAX_STUDENTS - 1
    assert all(item["detail"] for item in body["errors"])


def test_a_report_lists_the_first_skipped_entries_and_counts_them_all(client, server, school):
    org, admin = school
    content = one_student_and_skipped(MAX_STUDENTS - 1)

    served = serve_import(client, server, org["id"], admin, content, dry_run="true")

    assert served.response.status_code == 200, served.response.text
    report = served.response.json()
    assert len(report["skipped"]) == MAX_ITEMS
    assert report["skipped"][0]["detail"]
    assert report["totals"] == {"skipped": MAX_STUDENTS - 1, "warnings": 0}
    assert report["counts"]["skipped"] == MAX_STUDENTS - 1


def test_a_school_of_20000_valid_students_is_planned_within_bounds(client, server, school):
    org, admin = school
    content = zip_of([("ElevesSansAdresses.xml", generate_siecle(MAX_STUDENTS, all_kept=True))])

    served = serve_import(client, server, org["id"], admin, content, dry_run="true")

    assert served.response.status_code == 200, served.response.text
    assert served.response.json()["counts"]["created"] == MAX_STUDENTS


def test_a_student_listed_in_two_million_classes_gets_a_small_report(client, server, school):
    org, admin = school
    hostile = zip_of([("ElevesSansAdresses.xml", one_student_in_many_classes(7_000, 300))])
    assert len(hostile) < 1_000_000

    served = serve_import(client, server, org["id"], admin, hostile, dry_run="true")

    assert served.response.status_code == 200, served.response.text
    report = served.response.json()
    assert report["counts"]["created"] == 1
    assert report["warnings"] == []  # one class, however often it is repeated
    assert len(served.response.content) < 10_000


def test_report_items_show_a_bounded_part_of_what_the_file_holds(client, server, school):
    org, admin = school
    errors = zip_of([("e.xml", long_named_students(30, 400_000, in_a_class=True))])
    skipped = zip_of([("e.xml", long_named_students(30, 400_000, in_a_class=False))])

    refused = serve_import(client, server, org["id"], admin, errors, dry_run="true")
    reported = serve_import(client, server, org["id"], admin, skipped, dry_run="true")

    items = problem(refused.response, 422, "INVALID_SIECLE_FILE")["errors"]
    assert [(item["code"], item["field"]) for item in items] == [
        ("MISSING_BIRTHDATE", "birthdate"),
        ("VALUE_TOO_LONG", "first_name"),
        ("VALUE_TOO_LONG", "last_name"),
    ] * 30
    assert reported.response.status_code == 200, reported.response.text
    items += reported.response.json()["skipped"]
    assert len(items) == 120
    assert all(len(item["last_name"]) == 100 and item["last_name"].endswith("…") for item in items)
    assert all(len(item["detail"]) < 400 for item in items)
    assert len(refused.response.content) + len(reported.response.content) < 100_000


def test_a_million_structures_of_nobody_are_refused_at_the_entry_cap(client, server, school):
    org, admin = school
    hostile = zip_of([("ElevesSansAdresses.xml", structures_of_nobody(1_300_000))])

    served = serve_import(client, server, org["id"], admin, hostile, dry_run="true")

    body = problem(served.response, 413, "TOO_MANY_STUDENTS")
    assert body["meta"] == {"limit": MAX_STUDENTS}


def test_one_entry_more_than_the_cap_is_refused(client, make_server):
    server = make_server(import_max_students=3)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        org, admin = admin_of_new_organization(http, server.settings.database_url)
        upload = {"file": ("e.xml", one_student_and_skipped(2), "text/xml")}
        url = f"{API}/organizations/{org['id']}/student-imports"
        assert http.post(url, files=upload, headers=bearer(admin)).status_code == 201
        upload = {"file": ("e.xml", one_student_and_skipped(3), "text/xml")}
        body = problem(http.post(url, files=upload, headers=bearer(admin)), 413, "TOO_MANY_STUDENTS")
        assert body["meta"] == {"limit": 3}


def send_headers_and_a_little_body(server_url: str, path: str, token: str | None) -> int:
    """POST an upload announcing 15 MB but send 100 bytes of it: the status of the answer, which
    must come without the rest of the body (the socket gives up after 5 s)."""
    address = urlsplit(server_url)
    boundary = "pixboundary"
    authorization = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {address.hostname}\r\n{authorization}"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {15_000_000}\r\n\r\n"
    )
    start = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="e.xml"\r\n\r\n<BEE_'
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(head.encode() + start.encode())
        answer = sock.recv(65_536)
    return int(answer.split(b" ", 2)[1])


def test_who_may_not_import_is_refused_before_the_upload_is_read(client, server, school):
    org, admin = school
    path = f"{API}/organizations/{org['id']}/student-imports"
    member = member_token(client, server.settings.database_url, org["id"], admin, "prof@ac-paris.fr")
    _, stranger = signed_up_token(client, "curieux@example.fr")

    assert send_headers_and_a_little_body(server.url, path, None) == 401
    assert send_headers_and_a_little_body(server.url, path, stranger) == 404
    assert send_headers_and_a_little_body(server.url, path, member) == 403
