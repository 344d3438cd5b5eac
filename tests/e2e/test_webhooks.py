"""Webhooks over HTTP: the endpoints' routes, the URLs refused, and, with ``pix-orga serve``'s own
dispatcher, signed events reaching a receiver on loopback when things happen in the organization."""

from __future__ import annotations

import json
from typing import Any

import pytest
from standardwebhooks import Webhook

from tests.support.api import (
    API,
    admin_of_new_organization,
    bearer,
    problem,
    queued_invitation_code,
    signed_up_token,
)
from tests.support.processes import wait_until
from tests.support.siecle_samples import FIRST_EXPORT, first_export
from tests.support.webhooks import PUBLIC_WEBHOOK_URL, ThreadedReceiver

ID_FIELDS = {
    "organization_id",
    "invitation_id",
    "membership_id",
    "user_id",
    "role",
    "import_id",
    "format",
    "counts",
    "student_id",
    "participation_id",
    "campaign_code",
}


def endpoints(org_id: int) -> str:
    return f"{API}/organizations/{org_id}/webhook-endpoints"


def register(client, org_id: int, token: str, url: str = PUBLIC_WEBHOOK_URL, **body: Any):
    body.setdefault("events", ["student.linked"])
    return client.post(endpoints(org_id), json={"url": url, **body}, headers=bearer(token))


class TestRoutes:
    def test_register_list_change_test_and_delete(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)

        created = register(
            client, org["id"], admin, events=["student.linked", "membership.created"], description="SI"
        )
        assert created.status_code == 201, created.text
        endpoint = created.json()
        assert endpoint["secret"].startswith("whsec_")
        assert (endpoint["url"], endpoint["events"], endpoint["status"], endpoint["description"]) == (
            PUBLIC_WEBHOOK_URL,
            ["student.linked", "membership.created"],
            "ENABLED",
            "SI",
        )
        Webhook(endpoint["secret"])  # a secret the package reads

        listed = client.get(endpoints(org["id"]), headers=bearer(admin)).json()
        assert listed["total"] == 1
        assert "secret" not in listed["items"][0]
        assert endpoint["secret"] not in json.dumps(listed)
        stored = server.call(_stored_secret(server.settings.database_url, endpoint["id"]))
        assert endpoint["secret"].encode() not in stored

        path = f"{endpoints(org['id'])}/{endpoint['id']}"
        changed = client.patch(
            path, json={"events": ["webhook.test"], "status": "DISABLED"}, headers=bearer(admin)
        )
        assert (changed.status_code, changed.json()["events"], changed.json()["status"]) == (
            200,
            ["webhook.test"],
            "DISABLED",
        )
        problem(client.post(f"{path}/test", headers=bearer(admin)), 409, "WEBHOOK_ENDPOINT_DISABLED")
        client.patch(path, json={"status": "ENABLED"}, headers=bearer(admin))

        tested = client.post(f"{path}/test", headers=bearer(admin))
        assert tested.status_code == 202, tested.text
        deliveries = client.get(f"{path}/deliveries", headers=bearer(admin)).json()
        assert deliveries["total"] == 1
        [delivery] = deliveries["items"]
        assert (delivery["event_id"], delivery["event_type"], delivery["status"], delivery["attempts"]) == (
            tested.json()["event_id"],
            "webhook.test",
            "PENDING",
            0,
        )
        assert delivery["next_attempt_at"] is not None and delivery["last_status_code"] is None

        assert client.delete(path, headers=bearer(admin)).status_code == 204
        gone = problem(
            client.get(f"{path}/deliveries", headers=bearer(admin)), 404, "WEBHOOK_ENDPOINT_NOT_FOUND"
        )
        assert gone["detail"]
        audited = client.get(endpoints(org["id"]), headers=bearer(admin)).json()
        assert audited["total"] == 0

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("https://localhost/hooks", "NON_PUBLIC_ADDRESS"),
            ("https://127.0.0.1/hooks", "NON_PUBLIC_ADDRESS"),
            ("https://10.0.0.1/hooks", "NON_PUBLIC_ADDRESS"),
            ("https://169.254.169.254/latest/meta-data/", "NON_PUBLIC_ADDRESS"),
            ("https://[::1]/hooks", "NON_PUBLIC_ADDRESS"),
            ("https://[::ffff:127.0.0.1]/hooks", "NON_PUBLIC_ADDRESS"),
            ("https://100.64.0.1/hooks", "NON_PUBLIC_ADDRESS"),
            ("http://93.184.215.14/hooks", "NOT_HTTPS"),
            ("https://user:secret@93.184.215.14/hooks", "MALFORMED"),
            ("https://no-such-host.invalid/hooks", "UNRESOLVABLE"),
        ],
    )
    def test_urls_that_do_not_lead_to_a_public_https_address_are_refused(self, client, server, url, reason):
        org, admin = admin_of_new_organization(client, server.settings.database_url)

        refused = problem(register(client, org["id"], admin, url), 422, "INVALID_WEBHOOK_URL")

        assert refused["meta"] == {"reason": reason}
        assert client.get(endpoints(org["id"]), headers=bearer(admin)).json()["total"] == 0

    def test_bodies_are_checked_and_explained_in_english(self, client, server):
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        problem(register(client, org["id"], admin, events=["student.eaten"]), 422, "VALIDATION_ERROR")
        problem(register(client, org["id"], admin, events=[]), 422, "VALIDATION_ERROR")
        problem(
            register(client, org["id"], admin, "https://x.example/" + "a" * 2100), 422, "VALIDATION_ERROR"
        )
        english = client.post(
            endpoints(org["id"]),
            json={"url": "https://10.0.0.1/", "events": ["webhook.test"]},
            headers={**bearer(admin), "Accept-Language": "en"},
        )
        assert "public Internet address" in problem(english, 422, "INVALID_WEBHOOK_URL")["detail"]


async def _stored_secret(database_url: str, endpoint_id: int) -> bytes:
    from sqlalchemy import select

    from infrastructure.db.engine import create_engine
    from infrastructure.db.tables import webhook_endpoints

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return bytes(
                (
                    await connection.execute(
                        select(webhook_endpoints.c.encrypted_secret).where(
                            webhook_endpoints.c.id == endpoint_id
                        )
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()


def test_what_happens_in_the_organization_reaches_the_receiver_signed_and_with_ids_only(make_server):
    """``pix-orga serve`` with its dispatcher in process, private addresses allowed (the receiver is on
    loopback): a test event, an invitation accepted (and the membership it creates) and an import."""
    import httpx

    server = make_server(outbox_in_process=True, webhook_allow_private_addresses=True)
    with ThreadedReceiver() as receiver, httpx.Client(base_url=server.url, timeout=30) as client:
        org, admin = admin_of_new_organization(client, server.settings.database_url)
        events = ["webhook.test", "invitation.accepted", "membership.created", "student_import.completed"]
        created = register(client, org["id"], admin, receiver.url, events=events)
        assert created.status_code == 201, created.text
        endpoint = created.json()
        path = f"{endpoints(org['id'])}/{endpoint['id']}"

        tested = client.post(f"{path}/test", headers=bearer(admin)).json()
        [first] = receiver.wait_for(1)

        invited = client.post(
            f"{API}/organizations/{org['id']}/invitations",
            json={"emails": "prof.tournesol@ac-paris.fr"},
            headers=bearer(admin),
        )
        assert invited.status_code == 201, invited.text
        invitation_id, code = queued_invitation_code(
            server.settings.database_url, "prof.tournesol@ac-paris.fr"
        )
        _, colleague = signed_up_token(client, "prof.tournesol@ac-paris.fr")
        accepted = client.post(
            f"{API}/organization-invitations/{invitation_id}/accept",
            json={"code": code},
            headers=bearer(colleague),
        )
        assert accepted.status_code == 201, accepted.text
        imported = client.post(
            f"{API}/organizations/{org['id']}/student-imports",
            files={"file": (FIRST_EXPORT, first_export().xml, "application/xml")},
            headers=bearer(admin),
        )
        assert imported.status_code == 201, imported.text

        received = receiver.wait_for(4)

    payloads = [Webhook(endpoint["secret"]).verify(r.body, r.headers) for r in received]
    assert payloads[0] == {
        "type": "webhook.test",
        "timestamp": payloads[0]["timestamp"],
        "data": {"organization_id": org["id"]},
    }
    assert first.headers["webhook-id"] == f"msg_{tested['event_id']}"
    by_type = {p["type"]: p["data"] for p in payloads}
    membership = by_type["membership.created"]
    assert by_type["invitation.accepted"] == {
        "organization_id": org["id"],
        "invitation_id": invitation_id,
        "membership_id": membership["membership_id"],
        "user_id": membership["user_id"],
    }
    assert by_type["membership.created"]["role"] == "MEMBER"
    assert by_type["student_import.completed"] == {
        "organization_id": org["id"],
        "import_id": imported.json()["id"],
        "format": "SIECLE_XML",
        "counts": by_type["student_import.completed"]["counts"],
    }
    assert by_type["student_import.completed"]["counts"]["created"] == 30
    for request, payload in zip(received, payloads, strict=True):
        assert set(payload["data"]) <= ID_FIELDS, payload
        assert b"@" not in request.body and b"tournesol" not in request.body.lower()
    # The dispatcher records an outcome once the receiver has answered: the last may not be yet.
    wait_until(
        lambda: "PENDING" not in {d["status"] for d in client_deliveries(server.url, path, admin)},
        what="every delivery's outcome recorded",
    )
    deliveries = client_deliveries(server.url, path, admin)
    assert {d["status"] for d in deliveries} == {"DELIVERED"}
    assert all(d["last_status_code"] == 204 and d["attempts"] == 1 for d in deliveries)


def client_deliveries(base_url: str, path: str, token: str) -> list[dict[str, Any]]:
    import httpx

    with httpx.Client(base_url=base_url, timeout=30) as client:
        return list(client.get(f"{path}/deliveries", headers=bearer(token)).json()["items"])
