"""Steps 1 to 3 of the activation guide, with e-mails delivered to a real SMTP server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx

from tests.support.api import (
    API,
    bearer,
    create_organization,
    db_execute,
    log_in,
    signed_up_token,
    support_token,
)
from tests.support.smtp import refused_port, smtp_server


def link_of(text: str) -> tuple[int, str]:
    (url,) = set(re.findall(r"http://localhost:4201/rejoindre\?\S+", text))
    query = parse_qs(urlparse(url).query)
    return int(query["invitation_id"][0]), query["code"][0]


def test_steps_one_to_three(make_server):
    with smtp_server() as mailbox:
        srv = make_server(
            email_backend="smtp", smtp_url=f"smtp://127.0.0.1:{mailbox.port}", outbox_in_process=False
        )
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            # Step 1: support creates the school and sends the activation invitation.
            support = support_token(http, srv.settings.database_url)
            org = create_organization(http, support, name="Lycée Pix")
            sent = http.post(
                f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
            )
            assert sent.status_code == 201
            send = srv.app.state.dispatcher.run_once
            assert srv.call(send()) == 1  # the dispatcher sends and records each e-mail before returning
            (activation,) = mailbox.wait_for(1)
            assert activation.rcpt_tos == ["ce.0751234a@ac-paris.fr"]
            assert activation.message()["Subject"] == "Accès à votre espace Pix Orga"
            assert "Lycée Pix" in activation.text()
            invitation_id, code = link_of(activation.text())

            # Step 2: the head teacher follows the link, signs up, accepts, accepts the terms.
            landing = http.get(
                f"{API}/organization-invitations/{invitation_id}", params={"code": code}
            ).json()
            assert landing["organization_name"] == "Lycée Pix"
            _, head = signed_up_token(http, "proviseur@ac-paris.fr")
            accepted = http.post(
                f"{API}/organization-invitations/{invitation_id}/accept",
                json={"code": code},
                headers=bearer(head),
            )
            assert accepted.status_code == 201
            assert accepted.json()["membership"]["role"] == "ADMIN"
            assert (
                http.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(head)).status_code
                == 204
            )
            head = log_in(http, "proviseur@ac-paris.fr", scope="pix-orga")["access_token"]

            # Step 3: the team.
            invited = http.post(
                f"{API}/organizations/{org['id']}/invitations",
                json={"emails": "referent@ac-paris.fr, prof@gmail.com"},
                headers=bearer(head),
            )
            assert invited.status_code == 201
            pending = http.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(head)).json()
            assert sorted(i["email"] for i in pending["items"]) == ["prof@gmail.com", "referent@ac-paris.fr"]
            assert srv.call(send()) == 2
            mailbox.wait_for(3)
            team_mail = mailbox.last_to("referent@ac-paris.fr")
            assert team_mail.message()["Subject"] == "Invitation à rejoindre Pix Orga"
            assert "Ce lien est à usage unique" in team_mail.text()
            assert mailbox.last_to("prof@gmail.com")
            statuses = http.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(head)).json()
            assert {i["delivery_status"] for i in statuses["items"]} == {"SENT"}

            # The referent accepts while logged in with an account of another address.
            referent_invitation, referent_code = link_of(team_mail.text())
            _, referent = signed_up_token(http, "jean.referent@gmail.com")
            joined = http.post(
                f"{API}/organization-invitations/{referent_invitation}/accept",
                json={"code": referent_code},
                headers=bearer(referent),
            )
            assert joined.status_code == 201
            assert joined.json()["membership"]["role"] == "MEMBER"

            # The head teacher promotes them: two administrators.
            members = http.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(head)).json()
            referent_membership = next(
                m for m in members["items"] if m["user"]["email"] == "jean.referent@gmail.com"
            )
            promoted = http.patch(
                f"{API}/organizations/{org['id']}/memberships/{referent_membership['id']}",
                json={"role": "ADMIN"},
                headers=bearer(head),
            )
            assert promoted.status_code == 200
            members = http.get(f"{API}/organizations/{org['id']}/memberships", headers=bearer(head)).json()
            assert sorted(m["role"] for m in members["items"]) == ["ADMIN", "ADMIN"]
            assert mailbox.recipients() == {
                "ce.0751234a@ac-paris.fr": 1,
                "referent@ac-paris.fr": 1,
                "prof@gmail.com": 1,
            }


def test_smtp_down_then_back(make_server):
    with refused_port() as port:
        srv = make_server(email_backend="smtp", smtp_url=f"smtp://127.0.0.1:{port}")
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            support = support_token(http, srv.settings.database_url)
            org = create_organization(http, support)
            sent = http.post(
                f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
            )
            assert sent.status_code == 201
            assert sent.json()["delivery_status"] == "QUEUED"
            dispatcher = srv.app.state.dispatcher
            assert srv.call(dispatcher.run_once()) == 1  # attempted, SMTP refused
            assert db_execute(srv.settings.database_url, "SELECT status, attempts FROM outbox_emails") == [
                ("QUEUED", 1)
            ]
    with smtp_server(port=port) as mailbox:
        db_execute(srv.settings.database_url, "UPDATE outbox_emails SET next_attempt_at = created_at")
        assert srv.call(dispatcher.run_once()) == 1
        assert srv.call(dispatcher.run_once()) == 0
        assert len(mailbox.wait_for(1)) == 1
        assert db_execute(srv.settings.database_url, "SELECT status FROM outbox_emails") == [("SENT",)]
        assert db_execute(srv.settings.database_url, "SELECT delivery_status FROM invitations") == [("SENT",)]


def test_the_dispatcher_runs_inside_serve(make_server):
    """OUTBOX_IN_PROCESS=true: ``pix-orga serve`` sends queued e-mails by itself."""
    with smtp_server() as mailbox:
        srv = make_server(
            email_backend="smtp", smtp_url=f"smtp://127.0.0.1:{mailbox.port}", outbox_in_process=True
        )
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            support = support_token(http, srv.settings.database_url)
            org = create_organization(http, support)
            http.post(f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support))
            (received,) = mailbox.wait_for(1)
            assert received.rcpt_tos == [org["email"]]
