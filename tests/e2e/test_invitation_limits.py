"""Invitation e-mails cannot be turned against a school: the activation link in its mailbox is not
replaced on anyone's request, every invitation e-mail counts against the organization's daily cap
(even when two administrators invite at once), and a pasted list costs little, whoever sends it."""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.support.api import (
    API,
    admin_of_new_organization,
    bearer,
    create_organization,
    db_execute,
    problem,
    queued_invitation_code,
    signed_up_token,
    support_token,
)

OFFICIAL = "ce.0751234a@ac-paris.fr"
ACTIVATION_REQUEST = {"uai": "0751234A", "first_name": "Marie", "last_name": "Curie"}


def invite(http: httpx.Client, org_id: int, token: str, emails: object, **extra: object) -> httpx.Response:
    return http.post(
        f"{API}/organizations/{org_id}/invitations", json={"emails": emails, **extra}, headers=bearer(token)
    )


def invitation_emails(database_url: str) -> int:
    ((count,),) = db_execute(
        database_url, "SELECT count(*) FROM outbox_emails WHERE invitation_id IS NOT NULL"
    )
    return int(count)


def landing(http: httpx.Client, invitation_id: int, code: str) -> httpx.Response:
    return http.get(f"{API}/organization-invitations/{invitation_id}", params={"code": code})


def ignored_requests(database_url: str) -> list[str]:
    rows = db_execute(
        database_url,
        "SELECT details FROM audit_events WHERE type = 'SCO_ACTIVATION_REQUEST_IGNORED' ORDER BY id",
    )
    return [(json.loads(details) if isinstance(details, str) else details)["reason"] for (details,) in rows]


def age_every_email(database_url: str, hours: int) -> None:
    """As if every invitation e-mail had gone ``hours`` ago."""
    then = datetime.now(UTC) - timedelta(hours=hours)
    db_execute(database_url, "UPDATE invitations SET last_sent_at = :t", t=then)
    db_execute(database_url, "UPDATE outbox_emails SET created_at = :t", t=then)


class TestActivationRequests:
    def test_requests_leave_the_link_an_administrator_sent_to_the_official_address(self, client, server):
        url = server.settings.database_url
        org, admin = admin_of_new_organization(client, url, admin_email="chef@ac-paris.fr")
        age_every_email(url, hours=25)  # the activation e-mail of yesterday
        assert invite(client, org["id"], admin, "Secrétariat <CE.0751234A@ac-paris.fr>").status_code == 201
        invitation_id, code = queued_invitation_code(url, OFFICIAL)
        sent = invitation_emails(url)

        for _ in range(3):
            assert client.post(f"{API}/sco-activation-requests", json=ACTIVATION_REQUEST).status_code == 202

        assert invitation_emails(url) == sent
        assert landing(client, invitation_id, code).json()["role"] == "MEMBER"
        assert ignored_requests(url) == ["sent_less_than_24_hours_ago"] * 3

    def test_support_s_activation_e_mail_holds_requests_back_for_24_hours(self, client, server):
        url = server.settings.database_url
        support = support_token(client, url)
        org = create_organization(client, support)
        sent = client.post(
            f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
        )
        assert sent.status_code == 201
        invitation_id, code = queued_invitation_code(url, OFFICIAL)

        assert client.post(f"{API}/sco-activation-requests", json=ACTIVATION_REQUEST).status_code == 202
        assert invitation_emails(url) == 1
        assert landing(client, invitation_id, code).status_code == 200

        age_every_email(url, hours=25)
        assert client.post(f"{API}/sco-activation-requests", json=ACTIVATION_REQUEST).status_code == 202
        assert invitation_emails(url) == 2
        problem(landing(client, invitation_id, code), 410, "INVITATION_CODE_REPLACED")

    def test_an_organization_out_of_invitation_e_mails_sends_nothing_and_says_nothing(self, make_server):
        srv = make_server(invitations_per_day=3)
        url = srv.settings.database_url
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            support = support_token(http, url)
            org = create_organization(http, support)
            to_head = http.post(
                f"{API}/admin/organizations/{org['id']}/invitations",
                json={"email": "proviseur@ac-paris.fr"},
                headers=bearer(support),
            )
            assert to_head.status_code == 201
            invitation_id, code = queued_invitation_code(url, "proviseur@ac-paris.fr")
            _, head = signed_up_token(http, "proviseur@ac-paris.fr")
            accepted = http.post(
                f"{API}/organization-invitations/{invitation_id}/accept",
                json={"code": code},
                headers=bearer(head),
            )
            assert accepted.status_code == 201
            assert (
                http.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(head)).status_code
                == 204
            )
            assert len(invite(http, org["id"], head, "a@example.fr, b@example.fr").json()["invitations"]) == 2

            assert http.post(f"{API}/sco-activation-requests", json=ACTIVATION_REQUEST).status_code == 202

            assert invitation_emails(url) == 3
            assert ignored_requests(url) == ["invitations_per_day_reached"]


class TestDailyCap:
    def test_a_resend_over_the_cap_is_refused_and_the_link_keeps_working(self, make_server):
        srv = make_server(invitations_per_day=3)
        url = srv.settings.database_url
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            org, admin = admin_of_new_organization(http, url)  # 1 e-mail
            invited = invite(http, org["id"], admin, "a@example.fr, b@example.fr").json()["invitations"]
            invitation_id, code = queued_invitation_code(url, "a@example.fr")
            db_execute(
                url,
                "UPDATE invitations SET last_sent_at = :t",
                t=datetime.now(UTC) - timedelta(minutes=2),
            )

            refused = http.post(
                f"{API}/organizations/{org['id']}/invitations/{invited[0]['id']}/resend",
                headers=bearer(admin),
            )

            problem(refused, 429, "RATE_LIMITED")
            assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
            assert invitation_emails(url) == 3
            assert landing(http, invitation_id, code).status_code == 200

    def test_support_s_activation_counts_and_is_refused_over_the_cap(self, make_server):
        srv = make_server(invitations_per_day=2)
        url = srv.settings.database_url
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            org, admin = admin_of_new_organization(http, url)  # 1 e-mail
            assert (
                len(invite(http, org["id"], admin, "a@example.fr, b@example.fr").json()["invitations"]) == 1
            )
            support = support_token(http, url, "support-2@pix.fr")

            refused = http.post(
                f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
            )

            problem(refused, 429, "RATE_LIMITED")
            assert "Retry-After" in refused.headers
            assert invitation_emails(url) == 2

    def test_two_administrators_inviting_at_once_do_not_pass_the_cap(self, make_server):
        per_day = 6
        srv = make_server(invitations_per_day=per_day)
        url = srv.settings.database_url
        with httpx.Client(base_url=srv.url, timeout=60) as http:
            org, admin = admin_of_new_organization(http, url)  # 1 e-mail
            invite(http, org["id"], admin, "second@ac-paris.fr", role="ADMIN")  # 2
            invitation_id, code = queued_invitation_code(url, "second@ac-paris.fr")
            _, second = signed_up_token(http, "second@ac-paris.fr")
            http.post(
                f"{API}/organization-invitations/{invitation_id}/accept",
                json={"code": code},
                headers=bearer(second),
            )
            http.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(second))
        start = threading.Barrier(20)

        def invite_one(n: int) -> int:
            with httpx.Client(base_url=srv.url, timeout=60) as own:
                start.wait()
                body = invite(own, org["id"], admin if n % 2 else second, f"colleague{n}@example.fr").json()
                return len(body["invitations"])

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            invited = sum(pool.map(invite_one, range(20)))

        assert invited == per_day - 2
        assert invitation_emails(url) == per_day


class TestPastedLists:
    def test_more_addresses_than_allowed_at_once_are_refused_whole(self, make_server):
        srv = make_server(invitation_emails_per_request=3)
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            org, admin = admin_of_new_organization(http, srv.settings.database_url)
            sent = invitation_emails(srv.settings.database_url)

            refused = invite(http, org["id"], admin, "a@x.fr, b@x.fr; nope c@x.fr", locale="en")
            as_list = invite(http, org["id"], admin, ["a@x.fr", "b@x.fr", "c@x.fr", "d@x.fr"])

            body = problem(refused, 422, "TOO_MANY_EMAILS")
            assert body["meta"] == {"max_emails": 3}
            problem(as_list, 422, "TOO_MANY_EMAILS")
            assert invitation_emails(srv.settings.database_url) == sent
            assert len(invite(http, org["id"], admin, "a@x.fr, b@x.fr, c@x.fr").json()["invitations"]) == 3

    def test_a_900_kb_list_is_answered_quickly_and_the_service_stays_responsive(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        _, outsider = signed_up_token(client, "outsider@example.fr")
        words = " ".join(f"w{n}" for n in range(130_000))[:900_000]
        addresses = ", ".join(f"prof{n}@example.fr" for n in range(60_000))[:900_000]
        stop, probing = threading.Event(), threading.Event()
        liveness: list[float] = []

        def probe() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as own:
                while not stop.is_set():
                    started = time.perf_counter()
                    assert own.get("/health/live").status_code == 200
                    liveness.append(time.perf_counter() - started)
                    probing.set()

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            # The lists go only once the probe runs: the answers can be quicker than one probe.
            assert probing.wait(30)
            timings = {}
            for label, token, text, status, code in [
                ("non-member, words", outsider, words, 404, "ORGANIZATION_NOT_FOUND"),
                ("administrator, words", admin, words, 422, "TOO_MANY_EMAILS"),
                ("administrator, addresses", admin, addresses, 422, "TOO_MANY_EMAILS"),
            ]:
                started = time.perf_counter()
                problem(invite(client, org["id"], token, text), status, code)
                timings[label] = time.perf_counter() - started
        finally:
            stop.set()
            prober.join()

        assert max(timings.values()) < 2, timings  # 5.6 s to 36 s when the list was read first, quadratically
        assert max(liveness) < 1, liveness
