"""Account recovery over HTTP: a pupil who has left school gives a username-only account an e-mail
address, once; every refusal, the single-use link (used, replaced, expired, raced), the limits, and
what support sees."""

from __future__ import annotations

import concurrent.futures
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import (
    API,
    admin_of_new_organization,
    bearer,
    db_execute,
    log_in,
    problem,
    sign_up,
    support_token,
)
from tests.support.campaigns import create_account, create_campaign
from tests.support.recovery import pupil_who_left, queued_recovery, recovery_body, request_recovery
from tests.support.siecle_samples import FIRST_EXPORT
from tests.support.students import import_sample, insert_student
from tests.unit.fakes import FakeClock

INE = "000004242ZZ"
JULES = {"ine": INE, "first_name": "Jules", "last_name": "Maigret", "birthdate": "2007-02-13"}
EMAIL = "jules.maigret@example.net"
NEW_PASSWORD = "Retrouve2026"


def body(email: str = EMAIL, **changes: str) -> dict[str, str]:
    pupil = {**JULES, **changes}
    return recovery_body(pupil["ine"], pupil["first_name"], pupil["last_name"], pupil["birthdate"], email)


def school(
    client: httpx.Client, database_url: str, admin_email: str = "chef@ac-paris.fr", **organization: Any
) -> tuple[dict[str, Any], str, str]:
    org, admin = admin_of_new_organization(client, database_url, admin_email, **organization)
    return org, admin, create_campaign(client, admin, org["id"])["code"]


def jules_left(client: httpx.Client, database_url: str) -> dict[str, Any]:
    org, _, code = school(client, database_url)
    return pupil_who_left(client, database_url, org["id"], code, **JULES)


def complete(
    client: httpx.Client, recovery_id: str, code: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return client.post(
        f"{API}/account-recoveries/{recovery_id}/completion", json={"code": code, "password": password}
    )


def read(client: httpx.Client, recovery_id: str, code: str) -> httpx.Response:
    return client.get(f"{API}/account-recoveries/{recovery_id}", params={"code": code})


def test_a_pupil_who_left_recovers_the_account_once(client, server, siecle_samples: Path):
    """The story with real imports: Jules Maigret joins in terminale, the next year's export no longer
    lists him (his record is disabled), and he recovers his account with an e-mail address."""
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(client, database_url)
    import_sample(client, admin, org["id"], siecle_samples / FIRST_EXPORT)
    code = create_campaign(client, admin, org["id"])["code"]
    created = create_account(client, code, "Jules", "Maigret", "2007-02-13")
    assert created.status_code == 201, created.text
    account = created.json()
    problem(
        request_recovery(client, recovery_body("000001021PX", "Jules", "Maigret", "2007-02-13", EMAIL)),
        409,
        "ACCOUNT_RECOVERY_NOT_ALLOWED",
    )  # still at school: the teacher resets the password
    import_sample(client, admin, org["id"], siecle_samples / "ElevesSansAdresses-rentree.xml")

    asked = request_recovery(client, recovery_body(" 000001021px", "jules", "MAIGRET", "2007-02-13", EMAIL))
    assert asked.status_code == 202, asked.text
    assert asked.content == b""
    recovery_id, recovery_code = queued_recovery(database_url, EMAIL)

    shown = read(client, recovery_id, recovery_code)
    assert shown.status_code == 200, shown.text
    assert shown.json() == {"first_name": "Jules", "login_hint": "j***.m***2"}
    assert account["username"] == "jules.maigret1302"

    assert complete(client, recovery_id, recovery_code).status_code == 204
    problem(client.get(f"{API}/users/me", headers=bearer(account["access_token"])), 401, "UNAUTHENTICATED")
    problem(
        client.post(
            f"{API}/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": account["refresh_token"]},
        ),
        401,
        "UNAUTHENTICATED",
    )
    me = client.get(f"{API}/users/me", headers=bearer(log_in(client, EMAIL, NEW_PASSWORD)["access_token"]))
    assert (me.json()["email"], me.json()["username"]) == (EMAIL, "jules.maigret1302")
    log_in(client, "jules.maigret1302", NEW_PASSWORD)

    problem(read(client, recovery_id, recovery_code), 410, "RECOVERY_LINK_INVALID")
    problem(complete(client, recovery_id, recovery_code), 410, "RECOVERY_LINK_INVALID")
    again = request_recovery(
        client, recovery_body("000001021PX", "Jules", "Maigret", "2007-02-13", "autre@example.net")
    )
    assert problem(again, 409, "ACCOUNT_RECOVERY_NOT_ALLOWED")["meta"] == {"reason": "ALREADY_RECOVERED"}

    # Support sees both steps in the audit trail, with nothing personal in them.
    support = support_token(client, database_url, "support-audit@pix.fr")
    events = {}
    for kind in ("ACCOUNT_RECOVERY_REQUESTED", "ACCOUNT_RECOVERED"):
        found = client.get(f"{API}/admin/audit-events", params={"type": kind}, headers=bearer(support))
        assert found.status_code == 200, found.text
        (events[kind],) = found.json()["items"]
    assert events["ACCOUNT_RECOVERED"]["target_id"] == account["user"]["id"]
    assert events["ACCOUNT_RECOVERED"]["actor"] == {
        "user_id": account["user"]["id"],
        "label": "user",
        "api_client_id": None,
    }
    assert events["ACCOUNT_RECOVERY_REQUESTED"]["actor"]["label"] == "anonymous"
    assert events["ACCOUNT_RECOVERED"]["details"] == {"recovery_id": recovery_id}
    assert EMAIL not in str(events)


def test_the_email_goes_in_the_language_asked(client, server):
    jules_left(client, server.settings.database_url)
    assert request_recovery(client, {**body(), "locale": "en"}).status_code == 202
    rows = db_execute(
        server.settings.database_url, "SELECT locale FROM outbox_emails WHERE kind = 'account_recovery'"
    )
    assert rows == [("en",)]


# --- Every refusal of a request -------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"birthdate": "2007-02-14"},
        {"ine": "000004243ZZ"},
        {"first_name": "Julien"},
        {"last_name": "Megrette"},
    ],
    ids=["birth date", "INE", "first name", "last name"],
)
def test_one_part_wrong_is_not_found_and_changes_nothing(client, server, changes):
    jules_left(client, server.settings.database_url)
    problem(request_recovery(client, body(**changes)), 404, "STUDENT_NOT_FOUND")
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM account_recoveries") == [(0,)]
    assert db_execute(
        server.settings.database_url, "SELECT count(*) FROM outbox_emails WHERE kind = 'account_recovery'"
    ) == [(0,)]


def test_the_reasons_a_found_pupil_cannot_recover(client, server):
    database_url = server.settings.database_url
    org, _, code = school(client, database_url)
    other, _, other_code = school(
        client, database_url, "chef2@ac-paris.fr", uai="0759999Z", email="ce.0759999z@ac-paris.fr"
    )

    def reason(ine: str, first_name: str, last_name: str, birthdate: str) -> str:
        response = request_recovery(client, recovery_body(ine, first_name, last_name, birthdate, EMAIL))
        return str(problem(response, 409, "ACCOUNT_RECOVERY_NOT_ALLOWED")["meta"]["reason"])

    # Never joined: no account (whether the record is active or not).
    insert_student(
        database_url,
        org["id"],
        national_student_id="000000001ZZ",
        first_name="Emma",
        last_name="BOVARY",
        birthdate=datetime(2009, 12, 2).date(),
        disabled_at=datetime.now(UTC),
    )
    assert reason("000000001ZZ", "Emma", "Bovary", "2009-12-02") == "NO_ACCOUNT"

    # Joined, and still at school in the other one: his new school's record holds the account.
    left = pupil_who_left(
        client,
        database_url,
        org["id"],
        code,
        ine="000000002ZZ",
        first_name="Edmond",
        last_name="Dantès",
        birthdate="2008-02-24",
    )
    insert_student(
        database_url,
        other["id"],
        national_student_id="000000002ZZ",
        first_name="Edmond",
        last_name="DANTÈS",
        birthdate=datetime(2008, 2, 24).date(),
        user_id=left["user"]["id"],
    )
    assert reason("000000002ZZ", "Edmond", "Dantès", "2008-02-24") == "STILL_AT_SCHOOL"

    # Joined with an e-mail address: the forgotten-password e-mail is the way.
    insert_student(
        database_url,
        org["id"],
        national_student_id="000000003ZZ",
        first_name="Louise",
        last_name="DE RÊNAL",
        birthdate=datetime(2008, 5, 20).date(),
    )
    assert (
        create_account(
            client, code, "Louise", "de Rênal", "2008-05-20", email="louise@example.net"
        ).status_code
        == 201
    )
    db_execute(
        database_url,
        "UPDATE students SET disabled_at = :t WHERE national_student_id = '000000003ZZ'",
        t=datetime.now(UTC),
    )
    assert reason("000000003ZZ", "Louise", "de Renal", "2008-05-20") == "HAS_EMAIL"

    # Two schools, two accounts, both records disabled (the second school had typed another INE, and
    # corrected it after the pupil joined): support sorts it out.
    pupil_who_left(
        client,
        database_url,
        org["id"],
        code,
        ine="000000004ZZ",
        first_name="Julien",
        last_name="Sorel",
        birthdate="2008-09-15",
    )
    pupil_who_left(
        client,
        database_url,
        other["id"],
        other_code,
        ine="000000005ZZ",
        first_name="Julien",
        last_name="Sorel",
        birthdate="2008-09-15",
    )
    db_execute(
        database_url,
        "UPDATE students SET national_student_id = '000000004ZZ' WHERE national_student_id = '000000005ZZ'",
    )
    assert reason("000000004ZZ", "Julien", "Sorel", "2008-09-15") == "SEVERAL_ACCOUNTS"

    assert db_execute(database_url, "SELECT count(*) FROM account_recoveries") == [(0,)]


def test_an_address_of_another_account_is_refused_at_the_request(client, server):
    jules_left(client, server.settings.database_url)
    sign_up(client, "taken@example.net")
    problem(request_recovery(client, body("Taken@Example.net")), 409, "EMAIL_ALREADY_USED")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"email": "jules.maigret"}, "INVALID_EMAIL"),
        ({"first_name": " - "}, "VALIDATION_ERROR"),
        ({"birthdate": "13/02/2007"}, "VALIDATION_ERROR"),
        ({"national_student_id": ""}, "VALIDATION_ERROR"),
        ({"locale": "de"}, "VALIDATION_ERROR"),
    ],
)
def test_bad_input_is_refused_before_anything(client, server, changes, code):
    jules_left(client, server.settings.database_url)
    problem(request_recovery(client, {**body(), **changes}), 422, code)
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM account_recoveries") == [(0,)]


# --- The link ---------------------------------------------------------------------------------------


def test_a_new_request_replaces_the_link(client, server):
    database_url = server.settings.database_url
    jules_left(client, database_url)
    assert request_recovery(client, body()).status_code == 202
    first = queued_recovery(database_url, EMAIL)
    assert request_recovery(client, body("jules@example.org")).status_code == 202
    second = queued_recovery(database_url, "jules@example.org")
    problem(read(client, *first), 410, "RECOVERY_LINK_INVALID")
    problem(complete(client, *first), 410, "RECOVERY_LINK_INVALID")
    assert complete(client, *second).status_code == 204
    log_in(client, "jules@example.org", NEW_PASSWORD)


@pytest.mark.parametrize(
    "link",
    [
        lambda recovery_id, code: (recovery_id, code[:-2] + "xx"),
        lambda recovery_id, code: ("00000000-0000-4000-8000-000000000000", code),
        lambda recovery_id, code: ("not-an-id", code),
    ],
    ids=["wrong code", "unknown id", "not an id"],
)
def test_a_wrong_link_is_gone(client, server, link):
    database_url = server.settings.database_url
    jules_left(client, database_url)
    assert request_recovery(client, body()).status_code == 202
    wrong = link(*queued_recovery(database_url, EMAIL))
    problem(read(client, *wrong), 410, "RECOVERY_LINK_INVALID")
    problem(complete(client, *wrong), 410, "RECOVERY_LINK_INVALID")


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, server):
    database_url = server.settings.database_url
    jules_left(client, database_url)
    request_recovery(client, body())
    link = queued_recovery(database_url, EMAIL)
    problem(complete(client, *link, password="faible"), 422, "INVALID_PASSWORD")
    assert complete(client, *link).status_code == 204


def test_an_address_taken_since_the_request_is_refused_at_completion(client, server):
    database_url = server.settings.database_url
    account = jules_left(client, database_url)
    request_recovery(client, body())
    link = queued_recovery(database_url, EMAIL)
    sign_up(client, EMAIL)  # someone signs up with the address in between
    problem(complete(client, *link), 409, "EMAIL_ALREADY_USED")
    log_in(client, account["username"], "Eleve2024x")  # nothing changed
    assert read(client, *link).status_code == 200  # and the link can still be used, with another address


def test_the_link_expires_after_24_hours(make_server):
    clock = FakeClock(datetime.now(UTC))
    server = make_server(clock=clock)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        jules_left(client, server.settings.database_url)
        assert request_recovery(client, body()).status_code == 202
        link = queued_recovery(server.settings.database_url, EMAIL)
        clock.advance(hours=23, minutes=59)
        assert read(client, *link).status_code == 200
        clock.advance(minutes=1)
        problem(read(client, *link), 410, "RECOVERY_LINK_INVALID")
        problem(complete(client, *link), 410, "RECOVERY_LINK_INVALID")


def test_of_two_completions_at_once_exactly_one_wins(client, server):
    database_url = server.settings.database_url
    account = jules_left(client, database_url)
    request_recovery(client, body())
    recovery_id, code = queued_recovery(database_url, EMAIL)
    passwords = ["Premier2026", "Second2026"]

    def completion(password: str) -> int:
        with httpx.Client(base_url=server.url, timeout=30) as own:
            return complete(own, recovery_id, code, password).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(completion, passwords))
    assert sorted(statuses) == [204, 410]
    winner = passwords[statuses.index(204)]
    log_in(client, EMAIL, winner)
    problem(
        client.post(
            f"{API}/auth/token", data={"username": EMAIL, "password": passwords[statuses.index(410)]}
        ),
        401,
        "INVALID_CREDENTIALS",
    )
    events = db_execute(database_url, "SELECT target_id FROM audit_events WHERE type = 'ACCOUNT_RECOVERED'")
    assert events == [(account["user"]["id"],)]


# --- Limits -------------------------------------------------------------------------------------------


def test_guesses_at_a_pupil_are_limited_like_the_matching(make_server):
    server = make_server(match_failures_per_name="2/hour")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        jules_left(client, server.settings.database_url)
        for day in ("2007-02-14", "2007-02-15"):
            problem(request_recovery(client, body(birthdate=day)), 404, "STUDENT_NOT_FOUND")
        limited = problem(request_recovery(client, body(first_name="Jule")), 429, "TOO_MANY_REQUESTS")
        assert limited
        refused = request_recovery(client, body())
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_requests_are_limited_per_client_address(make_server):
    server = make_server(account_recovery_requests_per_address="3/hour")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        jules_left(client, server.settings.database_url)
        statuses = [request_recovery(client, body(ine=f"00000999{n}ZZ")).status_code for n in range(3)]
        assert statuses == [404, 404, 404]
        problem(request_recovery(client, body()), 429, "TOO_MANY_REQUESTS")


def test_emails_are_limited_per_address_and_per_account(make_server):
    server = make_server(
        account_recovery_emails_per_email="2/day", account_recovery_emails_per_account="3/day"
    )
    database_url = server.settings.database_url
    with httpx.Client(base_url=server.url, timeout=30) as client:
        jules_left(client, database_url)
        assert [request_recovery(client, body()).status_code for _ in range(2)] == [202, 202]
        problem(request_recovery(client, body()), 429, "TOO_MANY_REQUESTS")
        assert request_recovery(client, body("jules@example.org")).status_code == 202
        problem(request_recovery(client, body("jules@example.com")), 429, "TOO_MANY_REQUESTS")
        sent = db_execute(database_url, "SELECT count(*) FROM outbox_emails WHERE kind = 'account_recovery'")
        assert sent == [(3,)]
