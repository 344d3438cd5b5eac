"""The scale-out shape of docs/architecture.md ("Scaling past one machine") on this machine.

Two ``pix-orga serve`` processes on different ports and two ``pix-orga worker`` processes share a
PostgreSQL database of their own, with the rate-limit counters in the local Redis
(``RATE_LIMIT_STORAGE_URL=redis://127.0.0.1:6379/0?key_prefix=<unique to the run>``, the keys
deleted at the end). The activation story is scripted once with its calls alternating between the
two API processes (a load balancer's round robin), and once against a single in-thread server
with its in-process dispatcher; both runs must give the same results. Along the story:

- failed logins (per login and address: 10 per 15 minutes) counted across processes: ten
  failures spread over both, then 429 from each, even with the right password;
- each e-mail delivered exactly once to the test's SMTP server, by whichever worker claimed it
  (the story ends with a burst of 40 invitations so that both workers have work at once).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from api.bootstrap import build_limiter
from infrastructure.db.migrations import upgrade
from tests.support.api import API, PASSWORD, bearer, create_support_user, db_execute
from tests.support.databases import throwaway_database
from tests.support.live_server import LiveServer, test_settings
from tests.support.processes import running, start_api, start_worker, wait_until
from tests.support.smtp import Mailbox, smtp_server

pytestmark = pytest.mark.postgresql_only

BURST = [f"enseignant{number:02d}@ac-paris.fr" for number in range(1, 41)]


def link_of(text: str) -> tuple[int, str]:
    (url,) = set(re.findall(r"http://localhost:4201/rejoindre\?\S+", text))
    query = parse_qs(urlparse(url).query)
    return int(query["invitation_id"][0]), query["code"][0]


def all_sent(database_url: str, count: int) -> Callable[[], bool]:
    def check() -> bool:
        return db_execute(database_url, "SELECT status, count(*) FROM outbox_emails GROUP BY status") == [
            ("SENT", count)
        ]

    return check


def activation_story(
    apis: list[httpx.Client], database_url: str, mailbox: Mailbox, sample: Path
) -> dict[str, Any]:
    """Steps 1 to 4 of the activation guide, each call on the next API of ``apis`` in turn;
    returns what the story produced, without ids or dates."""
    turn = itertools.cycle(apis)

    def call(method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = bearer(token) if token else {}
        return next(turn).request(method, f"{API}{path}", headers=headers, **kwargs)

    def log_in(login: str, password: str = PASSWORD, **form: str) -> httpx.Response:
        return call("POST", "/auth/token", data={"username": login, "password": password, **form})

    def token(login: str, **form: str) -> str:
        response = log_in(login, **form)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def ok(response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    # Step 1: support creates the school and sends the activation invitation.
    create_support_user(database_url, "support@pix.fr")
    support = token("support@pix.fr")
    org = ok(
        call(
            "POST",
            "/admin/organizations",
            support,
            json={
                "name": "Lycée Pix",
                "type": "SCO",
                "uai": "0751234A",
                "email": "ce.0751234a@ac-paris.fr",
                "is_managing_students": True,
            },
        ),
        201,
    )
    ok(call("POST", f"/admin/organizations/{org['id']}/invitations", support, json={}), 201)
    (activation,) = mailbox.wait_for(1, timeout=20)
    invitation_id, code = link_of(activation.text())

    # Step 2: the head teacher follows the link, signs up, accepts, accepts the terms.
    landing = ok(call("GET", f"/organization-invitations/{invitation_id}", params={"code": code}))
    body = {"first_name": "Paule", "last_name": "Proviseure", "password": PASSWORD, "accept_terms": True}
    ok(call("POST", "/users", json={**body, "email": "proviseur@ac-paris.fr"}), 201)
    head = token("proviseur@ac-paris.fr")
    accepted = ok(
        call("POST", f"/organization-invitations/{invitation_id}/accept", head, json={"code": code}), 201
    )
    assert call("POST", "/users/me/pix-orga-terms-acceptance", head).status_code == 204
    head = token("proviseur@ac-paris.fr", scope="pix-orga")

    # Step 3: two colleagues invited; one accepts and is promoted.
    colleagues = "referent@ac-paris.fr, prof@gmail.com"
    ok(call("POST", f"/organizations/{org['id']}/invitations", head, json={"emails": colleagues}), 201)
    mailbox.wait_for(3, timeout=20)
    referent_invitation, referent_code = link_of(mailbox.last_to("referent@ac-paris.fr").text())
    ok(call("POST", "/users", json={**body, "first_name": "Jean", "email": "jean.referent@gmail.com"}), 201)
    referent = token("jean.referent@gmail.com")
    joined = ok(
        call(
            "POST",
            f"/organization-invitations/{referent_invitation}/accept",
            referent,
            json={"code": referent_code},
        ),
        201,
    )
    members = ok(call("GET", f"/organizations/{org['id']}/memberships", head))
    membership = next(m for m in members["items"] if m["user"]["email"] == "jean.referent@gmail.com")
    ok(
        call(
            "PATCH",
            f"/organizations/{org['id']}/memberships/{membership['id']}",
            head,
            json={"role": "ADMIN"},
        )
    )

    # Step 4: the SIECLE import, then the student list.
    report = ok(
        call(
            "POST",
            f"/organizations/{org['id']}/student-imports",
            head,
            files={"file": (sample.name, sample.read_bytes(), "application/xml")},
        ),
        201,
    )
    students = ok(call("GET", f"/organizations/{org['id']}/students", head, params={"page_size": 100}))

    # Failed logins, counted across processes: the eleventh attempt is refused, right password or not.
    failures = [log_in("proviseur@ac-paris.fr", "Mauvais-mot-de-passe1").status_code for _ in range(10)]
    limited = [log_in("proviseur@ac-paris.fr", password).status_code for password in (PASSWORD, PASSWORD)]
    limited += [log_in("proviseur@ac-paris.fr", "Mauvais-mot-de-passe1").status_code for _ in range(2)]

    # A burst of invitations for the workers, then every e-mail recorded SENT.
    ok(call("POST", f"/organizations/{org['id']}/invitations", head, json={"emails": ", ".join(BURST)}), 201)
    emails = 3 + len(BURST)
    mailbox.wait_for(emails, timeout=30)
    wait_until(all_sent(database_url, emails), what="every e-mail recorded SENT")
    invitations = ok(call("GET", f"/organizations/{org['id']}/invitations", head, params={"page_size": 100}))
    members = ok(call("GET", f"/organizations/{org['id']}/memberships", head))
    return {
        "landing": landing["organization_name"],
        "accepted_role": accepted["membership"]["role"],
        "joined_role": joined["membership"]["role"],
        "members": sorted((m["user"]["email"], m["role"]) for m in members["items"]),
        "import": (report["counts"], sorted(s["reason"] for s in report["skipped"])),
        "students": [(s["last_name"], s["first_name"], s["division"]) for s in students["items"]],
        "logins": (failures, limited),
        "invitations": sorted((i["email"], i["delivery_status"]) for i in invitations["items"]),
        "deliveries": sorted(mailbox.recipients().items()),
        "outbox": db_execute(database_url, "SELECT status, count(*) FROM outbox_emails GROUP BY status"),
    }


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A key prefix of this run only; its keys are deleted at the end."""
    url = f"redis://127.0.0.1:6379/0?key_prefix=pix-orga-test-{uuid.uuid4().hex[:12]}"
    yield url
    limiter = build_limiter(test_settings("sqlite://", rate_limit_storage_url=url))
    asyncio.run(limiter.reset())


def test_the_activation_story_across_two_api_processes_and_two_workers_gives_the_same_results_as_on_one(
    make_server: Callable[..., LiveServer], redis_url: str, tmp_path: Path, siecle_samples: Path
) -> None:
    sample = siecle_samples / "ElevesSansAdresses.xml"
    with throwaway_database(tmp_path) as url, smtp_server() as mailbox:
        upgrade(url)
        redis = {"rate_limit_storage_url": redis_url}
        email = {"email_backend": "smtp", "smtp_url": f"smtp://127.0.0.1:{mailbox.port}"}
        apis = [start_api(url, tmp_path, **redis) for _ in range(2)]
        workers = [start_worker(url, tmp_path, f"worker-{n}", **redis, **email) for n in (1, 2)]
        with running(*apis, *workers):
            for api in apis:
                api.wait_ready()
            with (
                httpx.Client(base_url=apis[0].url, timeout=30) as a,
                httpx.Client(base_url=apis[1].url, timeout=30) as b,
            ):
                spread = activation_story([a, b], url, mailbox, sample)
            for worker in workers:
                assert worker.terminate() == 0, worker.output()

    with smtp_server() as mailbox:
        single = make_server(
            outbox_in_process=True, email_backend="smtp", smtp_url=f"smtp://127.0.0.1:{mailbox.port}"
        )
        with httpx.Client(base_url=single.url, timeout=30) as alone:
            on_one = activation_story([alone], single.settings.database_url, mailbox, sample)

    assert spread == on_one
    # And what both gave is the story's expected outcome (not two identical mistakes).
    assert spread["members"] == [("jean.referent@gmail.com", "ADMIN"), ("proviseur@ac-paris.fr", "ADMIN")]
    assert spread["import"][0]["created"] == 30
    assert len(spread["students"]) == 30
    assert spread["logins"] == ([401] * 10, [429, 429, 429, 429])
    everyone = ["ce.0751234a@ac-paris.fr", "referent@ac-paris.fr", "prof@gmail.com", *BURST]
    assert spread["deliveries"] == sorted((address, 1) for address in everyone)
    assert spread["outbox"] == [("SENT", 3 + len(BURST))]
