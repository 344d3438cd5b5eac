"""The outbox worker killed with SIGKILL in the middle of a batch (README, "E-mail delivery").

26 e-mails are queued (an activation invitation, then 25 colleagues invited at once); the first
``pix-orga worker`` claims a batch of 20 with a two-second lease (``OUTBOX_LEASE_SECONDS=2``) and
sends them to the test's SMTP server. Its database connection goes through a proxy of the test:
when the SMTP server accepts the fifth e-mail, it freezes the proxy before answering ``250``, so
the worker has the e-mail accepted but cannot record it ``SENT``; once the worker is seen waiting
on the database, it is killed (SIGKILL). That is the one situation the README names for a
duplicate. A second worker then delivers everything: the six e-mails never claimed at once, the
fifteen the dead worker had claimed once its lease has run out, and the fifth again. Every
e-mail arrives, exactly once except the one in flight at the kill, which arrives twice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import API, admin_of_new_organization, bearer, db_execute
from tests.support.live_server import LiveServer
from tests.support.processes import running, start_worker, wait_until
from tests.support.smtp import Mailbox, smtp_server
from tests.support.tcp_proxy import TcpProxy, proxy_to

pytestmark = pytest.mark.postgresql_only

COLLEAGUES = [f"collegue{number:02d}@ac-paris.fr" for number in range(1, 26)]
BATCH = 20  # the dispatcher's batch size
IN_FLIGHT_AT = 5  # the e-mail during which the worker dies


class FreezingMailbox(Mailbox):
    """Accepts every e-mail; on the ``IN_FLIGHT_AT``-th one, freezes the worker's database
    connection before answering ``250``."""

    def __init__(self, proxy: TcpProxy) -> None:
        super().__init__()
        self.proxy = proxy

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if len(self.received) == IN_FLIGHT_AT - 1:
            self.proxy.freeze()
        return await super().handle_DATA(server, session, envelope)


def outbox(url: str) -> Counter[str]:
    """Rows by state: SENT, CLAIMED (queued, leased to a worker) or QUEUED (free to claim)."""
    rows = db_execute(url, "SELECT status, claimed_until IS NOT NULL FROM outbox_emails")
    return Counter("CLAIMED" if status == "QUEUED" and claimed else status for status, claimed in rows)


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_only_the_email_in_flight(
    server: LiveServer, client: httpx.Client, tmp_path: Path
) -> None:
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    invited = client.post(
        f"{API}/organizations/{org['id']}/invitations",
        json={"emails": ", ".join(COLLEAGUES)},
        headers=bearer(admin),
    )
    assert invited.status_code == 201, invited.text
    everyone = {org["email"], *COLLEAGUES}
    assert outbox(url) == {"QUEUED": len(everyone)}

    with proxy_to(url) as proxy, smtp_server(FreezingMailbox(proxy)) as mailbox:
        settings = {
            "email_backend": "smtp",
            "smtp_url": f"smtp://127.0.0.1:{mailbox.port}",
            "outbox_lease_seconds": "2",
        }
        doomed = start_worker(proxy.url_for(url), tmp_path, "doomed-worker", **settings)
        with running(doomed):
            assert proxy.held.wait(timeout=20), f"the worker never recorded a send:\n{doomed.output()}"
            doomed.kill()
        assert doomed.process.returncode == -9
        proxy.stop()  # its connections are cut: the server rolls back what the worker had begun

        (in_flight,) = mailbox.received[IN_FLIGHT_AT - 1].rcpt_tos
        assert len(mailbox.received) == IN_FLIGHT_AT
        assert outbox(url) == {
            "SENT": IN_FLIGHT_AT - 1,  # accepted and recorded before the kill
            "CLAIMED": BATCH - (IN_FLIGHT_AT - 1),  # the rest of the batch, the fifth included
            "QUEUED": len(everyone) - BATCH,  # never claimed
        }

        survivor = start_worker(url, tmp_path, "survivor", **settings)
        with running(survivor):
            mailbox.wait_for(len(everyone) + 1, timeout=30)
            wait_until(lambda: outbox(url) == {"SENT": len(everyone)}, what="every e-mail recorded SENT")
            assert survivor.terminate() == 0, survivor.output()

    delivered = mailbox.recipients()
    assert set(delivered) == everyone, "an e-mail was lost"
    assert {address: count for address, count in delivered.items() if count > 1} == {in_flight: 2}
    assert len(mailbox.received) == len(everyone) + 1
    statuses = client.get(f"{API}/organizations/{org['id']}/invitations", headers=bearer(admin)).json()
    assert {item["delivery_status"] for item in statuses["items"]} == {"SENT"}
    assert db_execute(url, "SELECT count(*) FROM outbox_emails WHERE payload IS NOT NULL") == [(0,)]
