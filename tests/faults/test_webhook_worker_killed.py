"""A worker killed with SIGKILL in the middle of webhook deliveries (README, "Webhooks").

Thirty test events are queued for one endpoint; ``pix-orga worker`` (private addresses allowed:
the receiver is on loopback) claims them in one batch with a two-second lease
(``WEBHOOK_LEASE_SECONDS=2``) and sends them, several at a time. Its database connection goes
through a proxy of the test: when the first request reaches the receiver, the proxy is frozen
before the receiver answers, so the worker gets its 2xx answers but cannot record them; once it is
seen waiting on the database, it is killed. A second worker then delivers everything once the
lease has run out. Nothing is lost; the requests the receiver had got from the dead worker arrive
twice (same ``webhook-id``: the receiver can tell), the others once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from tests.support.api import API, admin_of_new_organization, bearer, db_execute
from tests.support.live_server import LiveServer
from tests.support.processes import running, start_worker, wait_until
from tests.support.tcp_proxy import proxy_to
from tests.support.webhooks import ThreadedReceiver

pytestmark = pytest.mark.postgresql_only

EVENTS = 30


def deliveries(url: str) -> Counter[str]:
    """Deliveries by state: DELIVERED, CLAIMED (pending, leased to a worker) or PENDING."""
    rows = db_execute(url, "SELECT status, claimed_until IS NOT NULL FROM webhook_deliveries")
    return Counter("CLAIMED" if status == "PENDING" and claimed else status for status, claimed in rows)


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_what_was_in_flight(
    server: LiveServer, client: httpx.Client, tmp_path: Path
) -> None:
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    with proxy_to(url) as proxy:

        def freeze_at_first(number: int) -> None:
            if number == 1:
                proxy.freeze()

        with ThreadedReceiver(before_answer=freeze_at_first) as receiver:
            endpoints = f"{API}/organizations/{org['id']}/webhook-endpoints"
            created = client.post(
                endpoints, json={"url": receiver.url, "events": ["webhook.test"]}, headers=bearer(admin)
            )
            # The shared test server refuses loopback: the endpoint is stored as it would be where
            # private addresses are allowed.
            assert created.status_code == 422, created.text
            endpoint_id, secret = _endpoint_on_loopback(client, server, org["id"], admin, receiver.url)
            for _ in range(EVENTS):
                tested = client.post(f"{endpoints}/{endpoint_id}/test", headers=bearer(admin))
                assert tested.status_code == 202, tested.text
            assert deliveries(url) == {"PENDING": EVENTS}

            settings = {"webhook_allow_private_addresses": "true", "webhook_lease_seconds": "2"}
            doomed = start_worker(proxy.url_for(url), tmp_path, "doomed-worker", **settings)
            with running(doomed):
                assert proxy.held.wait(timeout=20), (
                    f"the worker never recorded a delivery:\n{doomed.output()}"
                )
                doomed.kill()
            assert doomed.process.returncode == -9
            proxy.stop()
            receiver.wait_idle()  # what the dead worker had sent may still be unread
            in_flight = Counter(request.headers["webhook-id"] for request in receiver.received)
            assert 1 <= len(in_flight) < EVENTS
            assert deliveries(url) == {"CLAIMED": EVENTS}  # nothing recorded, all leased to the dead

            survivor = start_worker(url, tmp_path, "survivor", **settings)
            with running(survivor):
                receiver.wait_for(EVENTS + len(in_flight))
                wait_until(lambda: deliveries(url) == {"DELIVERED": EVENTS}, what="every delivery recorded")
                assert survivor.terminate() == 0, survivor.output()

    received = Counter(request.headers["webhook-id"] for request in receiver.received)
    assert len(received) == EVENTS, "an event was lost"
    assert {message: count for message, count in received.items() if count > 1} == dict.fromkeys(in_flight, 2)
    for request in receiver.received:
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"


def _endpoint_on_loopback(
    client: httpx.Client, server: LiveServer, org_id: int, admin: str, receiver_url: str
) -> tuple[int, str]:
    """An endpoint registered with a public URL, then pointed at the receiver in the database."""
    created = client.post(
        f"{API}/organizations/{org_id}/webhook-endpoints",
        json={"url": "https://93.184.215.14/hooks", "events": ["webhook.test"]},
        headers=bearer(admin),
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()
    db_execute(
        server.settings.database_url,
        "UPDATE webhook_endpoints SET url = :url WHERE id = :id",
        url=receiver_url,
        id=endpoint["id"],
    )
    return int(endpoint["id"]), str(endpoint["secret"])
