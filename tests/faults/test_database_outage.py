"""The database stops in the middle of an import, a sign-up and an invitation.

The app under test reaches PostgreSQL through a TCP proxy of the test (``tests/support/
tcp_proxy.py``), which stops at the ``COMMIT`` of the request's transaction: every write of the
request was made, none committed, the connection is cut and new connections are refused, as when
the server stops. The request must fail with a 503 ``SERVICE_UNAVAILABLE`` problem (a lost
database is not a bug: no 500), so must the same request while the database is down, nothing of
it may be left (row counts of every table, read directly), and once the database is back the very
same request succeeds.

A database that stops answering (a frozen server, a network partition: no refusal, no reset) must
not hold a request forever either: the engine bounds connecting and each statement
(``connect_timeout`` and ``command_timeout`` of ``DATABASE_URL``, 5 s and 30 s by default, 1 s
and 1 s here), and the request gets its 503 in bounded time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from infrastructure.db.tables import metadata
from tests.support.api import API, admin_of_new_organization, bearer, db_execute
from tests.support.live_server import LiveServer
from tests.support.siecle_generator import build_siecle
from tests.support.tcp_proxy import TcpProxy, proxy_to

pytestmark = pytest.mark.postgresql_only

TABLES = [table.name for table in metadata.sorted_tables]


def row_counts(database_url: str) -> dict[str, int]:
    query = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM {name}" for name in TABLES)
    return {name: int(count) for name, count in db_execute(database_url, query)}


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert response.headers["retry-after"]


@pytest.fixture
def proxy(clean_database: str) -> Iterator[TcpProxy]:
    with proxy_to(clean_database) as proxy:
        yield proxy


@pytest.fixture
def app_behind_proxy(
    make_server: Callable[..., LiveServer], proxy: TcpProxy, clean_database: str
) -> Iterator[httpx.Client]:
    """A server of its own whose every connection to the test database goes through the proxy."""
    server = make_server(database_url=proxy.url_for(clean_database))
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


def the_database_stops_during(
    proxy: TcpProxy, database_url: str, marker: bytes, send: Callable[[], httpx.Response]
) -> dict[str, int]:
    """Send the request with the database stopping at the COMMIT of the transaction that sent
    ``marker``; check the 503 and that nothing is left; return the counts before."""
    before = row_counts(database_url)
    stopped = proxy.cut_at_commit_after(marker)
    assert_unavailable(send())
    assert stopped.is_set(), "the request never reached its COMMIT: the fault was not injected"
    assert row_counts(database_url) == before, "a part of the request was left in the database"

    assert_unavailable(send())  # the database is still down: refused connections are a 503 too
    assert row_counts(database_url) == before

    proxy.start()
    return before


def test_an_import_interrupted_by_the_database_leaves_nothing_and_succeeds_once_it_is_back(
    server: LiveServer, client: httpx.Client, app_behind_proxy: httpx.Client, proxy: TcpProxy
) -> None:
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    export = build_siecle(2000, seed=11, all_kept=True)

    def send() -> httpx.Response:
        return app_behind_proxy.post(
            f"{API}/organizations/{org['id']}/student-imports",
            files={"file": ("ElevesSansAdresses.xml", export.xml, "application/xml")},
            headers=bearer(admin),
        )

    before = the_database_stops_during(proxy, url, b'COPY "students"', send)
    assert before["students"] == 0

    done = send()
    assert done.status_code == 201, done.text
    assert done.json()["counts"]["created"] == 2000
    after = row_counts(url)
    assert after["students"] == 2000
    assert after["student_imports"] == before["student_imports"] + 1
    national_ids = {row[0] for row in db_execute(url, "SELECT national_student_id FROM students")}
    assert national_ids == {record.national_student_id for record in export.expected_records()}


def test_a_sign_up_interrupted_by_the_database_leaves_nothing_and_succeeds_once_it_is_back(
    server: LiveServer, app_behind_proxy: httpx.Client, proxy: TcpProxy
) -> None:
    url = server.settings.database_url
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada.lovelace@example.fr",
        "password": "Motdepasse1",
        "accept_terms": True,
    }

    def send() -> httpx.Response:
        return app_behind_proxy.post(f"{API}/users", json=body)

    before = the_database_stops_during(proxy, url, b"INSERT INTO users", send)

    done = send()
    assert done.status_code == 201, done.text
    assert row_counts(url)["users"] == before["users"] + 1
    assert db_execute(url, "SELECT count(*) FROM users WHERE email = 'ada.lovelace@example.fr'") == [(1,)]


def test_an_invitation_interrupted_by_the_database_leaves_nothing_and_succeeds_once_it_is_back(
    server: LiveServer, client: httpx.Client, app_behind_proxy: httpx.Client, proxy: TcpProxy
) -> None:
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    emails = "referent@ac-paris.fr, prof@gmail.com"

    def send() -> httpx.Response:
        return app_behind_proxy.post(
            f"{API}/organizations/{org['id']}/invitations", json={"emails": emails}, headers=bearer(admin)
        )

    # The stop comes after both invitations and their e-mails were written, at the COMMIT.
    before = the_database_stops_during(proxy, url, b"INSERT INTO invitations", send)

    done = send()
    assert done.status_code == 201, done.text
    after = row_counts(url)
    assert after["invitations"] == before["invitations"] + 2
    assert after["outbox_emails"] == before["outbox_emails"] + 2
    pending = client.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(admin)).json()
    assert sorted(item["email"] for item in pending["items"]) == ["prof@gmail.com", "referent@ac-paris.fr"]


def test_a_database_that_stops_answering_gives_a_503_in_bounded_time_not_a_hang(
    make_server: Callable[..., LiveServer], proxy: TcpProxy, clean_database: str
) -> None:
    url = clean_database
    server = make_server(database_url=proxy.url_for(url) + "?connect_timeout=1&command_timeout=1")
    body = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace.hopper@example.fr",
        "password": "Motdepasse1",
        "accept_terms": True,
    }
    with httpx.Client(base_url=server.url, timeout=30) as http:
        before = row_counts(url)
        frozen = proxy.cut_at_commit_after(b"INSERT INTO users", freeze=True)
        started = time.monotonic()
        response = http.post(f"{API}/users", json=body)
        elapsed = time.monotonic() - started
        assert frozen.is_set(), "the request never reached its COMMIT: the fault was not injected"
        assert_unavailable(response)
        assert elapsed < 12, f"answered after {elapsed:.1f} s: the statement timeouts do not hold"
        assert row_counts(url) == before

        started = time.monotonic()
        assert_unavailable(http.get("/health/ready"))  # still silent: new connections time out
        assert time.monotonic() - started < 12

        proxy.stop()  # the frozen connections are cut, as the server restarting would do
        proxy.start()
        done = http.post(f"{API}/users", json=body)
        assert done.status_code == 201, done.text
        assert row_counts(url)["users"] == before["users"] + 1
