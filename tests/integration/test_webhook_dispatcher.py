"""The webhook dispatcher against the real database (both legs) and real HTTP receivers on loopback
(``tests/support/webhooks.py``). Signatures are checked with the ``standardwebhooks`` package, as a
receiver would. Time is injected: no test sleeps for a backoff, a lease or three days."""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import trustme
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks import Webhook

from domain.notifications.webhooks import WebhookEvent, student_linked, webhook_test
from domain.organizations.entities import Role
from domain.webhooks.create_webhook_endpoint import new_signing_secret
from domain.webhooks.entities import NewWebhookEndpoint
from infrastructure.db.tables import audit_events, outbox_emails, webhook_deliveries, webhook_endpoints
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.webhooks.dispatcher import WebhookDispatcher
from infrastructure.webhooks.secrets import FernetSecretCipher
from infrastructure.webhooks.sender import HttpWebhookSender
from tests.contract.backends import new_organization, new_user
from tests.support.clocks import FakeClock
from tests.support.webhooks import Answer, Received, StaticResolver, receiving

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
LEASE = timedelta(minutes=2)
CIPHER = FernetSecretCipher(SECRET_KEY)


@dataclass
class School:
    organization_id: int
    admin_email: str


async def school(engine: AsyncEngine) -> School:
    now = datetime.now(UTC)
    async with SqlUnitOfWork(engine) as uow:
        organization = await uow.organizations.add(new_organization())
        admin = await uow.users.add(new_user("admin@ac-paris.fr"))
        await uow.memberships.add(organization.id, admin.id, Role.ADMIN, now)
        await uow.commit()
    return School(organization.id, "admin@ac-paris.fr")


async def endpoint(
    engine: AsyncEngine, organization_id: int, url: str, events: tuple[str, ...] = ("student.linked",)
) -> tuple[int, str]:
    secret = new_signing_secret()
    async with SqlUnitOfWork(engine) as uow:
        added = await uow.webhook_endpoints.add(
            NewWebhookEndpoint(organization_id, url, events, None, CIPHER.encrypt(secret), datetime.now(UTC))
        )
        await uow.commit()
    return added.id, secret


async def record(engine: AsyncEngine, event: WebhookEvent) -> int:
    async with SqlUnitOfWork(engine) as uow:
        event_id = await uow.webhook_events.record(event)
        await uow.commit()
    assert event_id is not None
    return event_id


def linked(organization_id: int, student_id: int = 7) -> WebhookEvent:
    return student_linked(organization_id, student_id, 42, datetime.now(UTC))


def dispatcher(
    engine: AsyncEngine,
    clock: FakeClock,
    *,
    resolver: StaticResolver | None = None,
    allow_private: bool = True,
    timeout: float = 5.0,
    **options: Any,
) -> WebhookDispatcher:
    sender = HttpWebhookSender(
        resolver or StaticResolver(), timeout=timeout, allow_private_addresses=allow_private
    )
    return WebhookDispatcher(engine, sender, CIPHER, lease=LEASE, now=clock, **options)


async def deliveries(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.id))
        return [dict(row._mapping) for row in rows]


def verified(secret: str, request: Received) -> Any:
    return Webhook(secret).verify(request.body, request.headers)


# --- signing and delivering -----------------------------------------------------------------------


async def test_a_delivery_is_signed_as_standard_webhooks_say_and_carries_ids_only(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    async with receiving() as receiver:
        endpoint_id, secret = await endpoint(engine, place.organization_id, receiver.url)
        event_id = await record(engine, linked(place.organization_id))

        assert await dispatcher(engine, clock).run_once() == 1

        [request] = receiver.received
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == f"msg_{event_id}"
    assert request.headers["webhook-signature"].startswith("v1,")
    payload = verified(secret, request)
    assert payload["type"] == "student.linked"
    assert payload["data"] == {"organization_id": place.organization_id, "student_id": 7, "user_id": 42}
    assert datetime.fromisoformat(payload["timestamp"]).tzinfo is not None
    with pytest.raises(Exception, match="signature"):
        Webhook(new_signing_secret()).verify(request.body, request.headers)
    [delivery] = await deliveries(engine)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("DELIVERED", 1, 204)
    assert delivery["endpoint_id"] == endpoint_id and delivery["claimed_until"] is None


async def test_an_event_goes_to_the_enabled_endpoints_subscribed_to_it_only(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    other = await school_b(engine)
    async with receiving() as subscribed, receiving() as elsewhere, receiving() as other_school:
        await endpoint(engine, place.organization_id, subscribed.url)
        await endpoint(engine, place.organization_id, elsewhere.url, ("membership.created",))
        await endpoint(engine, other, other_school.url)
        await record(engine, linked(place.organization_id))

        await dispatcher(engine, clock).run_once()

        assert (len(subscribed.received), len(elsewhere.received), len(other_school.received)) == (1, 0, 0)


async def school_b(engine: AsyncEngine) -> int:
    async with SqlUnitOfWork(engine) as uow:
        organization = await uow.organizations.add(new_organization("0750002B", "Collège B"))
        await uow.commit()
    return organization.id


async def test_no_endpoint_no_event_stored(engine: AsyncEngine) -> None:
    place = await school(engine)
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.webhook_events.record(linked(place.organization_id)) is None
        await uow.commit()
    assert await deliveries(engine) == []


async def test_a_rolled_back_change_sends_nothing(engine: AsyncEngine, clock: FakeClock) -> None:
    place = await school(engine)
    async with receiving() as receiver:
        await endpoint(engine, place.organization_id, receiver.url)
        async with SqlUnitOfWork(engine) as uow:
            assert await uow.webhook_events.record(linked(place.organization_id)) is not None
            # left without commit: rolled back

        assert await dispatcher(engine, clock).run_once() == 0
        assert receiver.received == []


# --- retries --------------------------------------------------------------------------------------


async def test_a_500_is_retried_after_the_backoff_with_the_same_message_id(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    async with receiving(lambda n, r: Answer(500 if n == 1 else 200)) as receiver:
        _, secret = await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        worker = dispatcher(engine, clock)

        await worker.run_once()
        [delivery] = await deliveries(engine)
        assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("PENDING", 1, 500)
        assert timedelta(seconds=30) <= delivery["next_attempt_at"] - clock() <= timedelta(seconds=33)
        assert await worker.run_once() == 0  # not due yet

        clock.advance(timedelta(seconds=34))
        assert await worker.run_once() == 1

        first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert verified(secret, second)["type"] == "student.linked"
    [delivery] = await deliveries(engine)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("DELIVERED", 2, 200)


async def test_a_receiver_slower_than_the_timeout_is_retried(engine: AsyncEngine, clock: FakeClock) -> None:
    place = await school(engine)
    async with receiving(lambda n, r: Answer(204, delay=3.0 if n == 1 else 0)) as receiver:
        await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        worker = dispatcher(engine, clock, timeout=0.5)

        await worker.run_once()
        [delivery] = await deliveries(engine)
        assert (delivery["status"], delivery["last_error"], delivery["last_status_code"]) == (
            "PENDING",
            "TIMEOUT",
            None,
        )

        clock.advance(timedelta(seconds=34))
        await worker.run_once()
        [delivery] = await deliveries(engine)
        assert (delivery["status"], delivery["attempts"]) == ("DELIVERED", 2)


async def test_the_backlog_of_one_endpoint_does_not_hold_up_another(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    async with receiving() as busy, receiving() as quiet:
        await endpoint(engine, place.organization_id, busy.url)
        await endpoint(engine, place.organization_id, quiet.url, ("student.detached",))
        for student_id in range(5):
            await record(engine, linked(place.organization_id, student_id))
        await record(
            engine,
            WebhookEvent(place.organization_id, "student.detached", datetime.now(UTC), {"student_id": 1}),
        )

        assert await dispatcher(engine, clock, batch_size=2).run_once() == 2

        assert (len(busy.received), len(quiet.received)) == (1, 1)


# --- what is never followed or reached --------------------------------------------------------------


async def test_a_redirect_is_a_failure_and_is_not_followed(engine: AsyncEngine, clock: FakeClock) -> None:
    place = await school(engine)
    async with receiving() as target:
        metadata = "http://169.254.169.254/latest/meta-data/"
        async with receiving(lambda n, r: Answer(302, headers={"Location": target.url})) as redirecting:
            await endpoint(engine, place.organization_id, redirecting.url)
            async with receiving(lambda n, r: Answer(307, headers={"Location": metadata})) as to_metadata:
                await endpoint(engine, place.organization_id, to_metadata.url)
                await record(engine, linked(place.organization_id))

                await dispatcher(engine, clock).run_once()

                assert (len(redirecting.received), len(to_metadata.received)) == (1, 1)
        assert target.received == []
    assert [(d["status"], d["last_status_code"], d["last_error"]) for d in await deliveries(engine)] == [
        ("PENDING", 302, "REDIRECT_NOT_FOLLOWED"),
        ("PENDING", 307, "REDIRECT_NOT_FOLLOWED"),
    ]


@pytest.mark.parametrize(
    ("host", "addresses"),
    [
        ("rebound.example", ["127.0.0.1"]),
        ("intranet.example", ["10.0.0.7"]),
        ("metadata.example", ["169.254.169.254"]),
        ("six.example", ["::1"]),
        ("mixed.example", ["93.184.215.14", "192.168.1.1"]),
        ("mapped.example", ["::ffff:127.0.0.1"]),
        ("127.0.0.1", []),
        ("[::1]", []),
        ("gone.example", []),
    ],
)
async def test_a_url_leading_to_a_non_public_address_at_delivery_time_is_never_contacted(
    engine: AsyncEngine, clock: FakeClock, host: str, addresses: list[str]
) -> None:
    """As if the name pointed elsewhere when the endpoint was registered (DNS rebinding): checked
    again at each delivery. Private addresses are NOT allowed here; the receiver listens on loopback
    at the URL's port, and must receive nothing."""
    place = await school(engine)
    async with receiving() as receiver:
        url = f"https://{host}:{receiver.port}/hooks"
        await endpoint(engine, place.organization_id, url)
        await record(engine, linked(place.organization_id))
        resolver = StaticResolver({host: addresses})

        await dispatcher(engine, clock, resolver=resolver, allow_private=False).run_once()

        assert receiver.received == []
    [delivery] = await deliveries(engine)
    expected = "UNRESOLVABLE" if host == "gone.example" else "NON_PUBLIC_ADDRESS"
    assert (delivery["status"], delivery["last_error"], delivery["last_status_code"]) == (
        "PENDING",
        expected,
        None,
    )


async def test_plain_http_is_refused_at_delivery_when_private_addresses_are_not_allowed(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    await endpoint(engine, place.organization_id, "http://93.184.215.14/hooks")
    await record(engine, linked(place.organization_id))

    await dispatcher(engine, clock, allow_private=False).run_once()

    [delivery] = await deliveries(engine)
    assert delivery["last_error"] == "NOT_HTTPS"


# --- three days of failures --------------------------------------------------------------------------


async def test_an_endpoint_failing_for_three_days_is_disabled_and_its_administrators_emailed(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    async with receiving(lambda n, r: Answer(503)) as receiver:
        endpoint_id, _ = await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        worker = dispatcher(engine, clock)

        await worker.run_once()
        failing_since = clock()
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
                )
            ).one()
        assert (row.status, row.failing_since) == ("ENABLED", failing_since)

        clock.advance(timedelta(days=2, hours=23))
        await worker.run_once()  # the delivery's retries are due long before; one more failure
        clock.advance(timedelta(hours=1))
        await worker.run_once()

        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
                )
            ).one()
            emails = (await connection.execute(select(outbox_emails))).all()
            audited = (
                await connection.execute(
                    select(audit_events).where(audit_events.c.type == "WEBHOOK_ENDPOINT_DISABLED")
                )
            ).all()
        assert (row.status, row.failing_since) == ("DISABLED", failing_since)
        [email] = emails
        assert email.kind == "webhook_disabled"
        assert email.payload == {
            "to": place.admin_email,
            "organization_name": "Lycée Pix",
            "endpoint_id": endpoint_id,
            "host": "127.0.0.1",
        }
        [event] = audited
        assert (event.actor_label, event.target_id) == ("system", endpoint_id)
        [delivery] = await deliveries(engine)
        assert delivery["status"] == "FAILED"  # three days old: given up

        # Disabled: new events wait, unsent.
        await record(engine, webhook_test(place.organization_id, endpoint_id, datetime.now(UTC)))
        clock.advance(timedelta(minutes=1))
        sent = len(receiver.received)
        assert await worker.run_once() == 0
        assert len(receiver.received) == sent


async def test_a_success_ends_the_failing_period(engine: AsyncEngine, clock: FakeClock) -> None:
    place = await school(engine)
    async with receiving(lambda n, r: Answer(500 if n == 1 else 204)) as receiver:
        endpoint_id, _ = await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        worker = dispatcher(engine, clock)
        await worker.run_once()
        clock.advance(timedelta(minutes=1))
        await worker.run_once()
        assert len(receiver.received) == 2
    async with engine.connect() as connection:
        row = (
            await connection.execute(select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id))
        ).one()
    assert (row.status, row.failing_since) == ("ENABLED", None)


# --- leases: a worker that dies mid-delivery ---------------------------------------------------------


async def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_the_lease(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """The first worker is cancelled while the receiver holds its request (as if killed): its claim
    stays; another worker does not send it before the lease ends, then sends it (at least once)."""
    place = await school(engine)
    async with receiving(lambda n, r: Answer(204, delay=30 if n == 1 else 0)) as receiver:
        _, secret = await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))

        dying = asyncio.create_task(dispatcher(engine, clock).run_once())
        await receiver.wait_for(1)
        dying.cancel()
        with pytest.raises(asyncio.CancelledError):
            await dying

        survivor = dispatcher(engine, clock)
        assert await survivor.run_once() == 0  # still leased
        clock.advance(LEASE + timedelta(seconds=1))
        assert await survivor.run_once() == 1

        first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert verified(secret, second)["data"]["student_id"] == 7
    [delivery] = await deliveries(engine)
    assert (delivery["status"], delivery["attempts"]) == ("DELIVERED", 1)


async def test_an_outcome_is_not_recorded_by_a_worker_that_lost_its_claim(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    place = await school(engine)
    async with receiving() as receiver:
        await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        async with engine.begin() as connection:  # another worker's claim, still running
            await connection.execute(update(webhook_deliveries).values(claimed_until=clock() + LEASE))

        assert await dispatcher(engine, clock).run_once() == 0
        assert receiver.received == []


def test_the_body_is_compact_json() -> None:
    from infrastructure.webhooks.dispatcher import message_body

    body = message_body("webhook.test", datetime(2026, 9, 1, 8, tzinfo=UTC), 3, {})
    assert json.loads(body) == {
        "type": "webhook.test",
        "timestamp": "2026-09-01T08:00:00+00:00",
        "data": {"organization_id": 3},
    }
    assert " " not in body


# --- TLS: the connection goes to the checked address, TLS is verified for the name ----------------


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def tls_server(authority: trustme.CA, name: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(name).configure_cert(context)
    return context


def tls_dispatcher(
    engine: AsyncEngine, clock: FakeClock, authority: trustme.CA, resolver: StaticResolver
) -> WebhookDispatcher:
    trust = ssl.create_default_context()
    authority.configure_trust(trust)
    sender = HttpWebhookSender(resolver, timeout=5, allow_private_addresses=True, verify=trust)
    return WebhookDispatcher(engine, sender, CIPHER, lease=LEASE, now=clock)


async def test_https_goes_to_the_resolved_address_with_the_name_kept_for_host_and_certificate(
    engine: AsyncEngine, clock: FakeClock, authority: trustme.CA
) -> None:
    place = await school(engine)
    async with receiving(tls=tls_server(authority, "hooks.example"), host="hooks.example") as receiver:
        _, secret = await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        resolver = StaticResolver({"hooks.example": ["127.0.0.1"]})

        await tls_dispatcher(engine, clock, authority, resolver).run_once()

        [request] = receiver.received
    assert request.headers["host"] == f"hooks.example:{receiver.port}"
    assert verified(secret, request)["type"] == "student.linked"
    [delivery] = await deliveries(engine)
    assert delivery["status"] == "DELIVERED"


async def test_a_certificate_for_another_name_is_a_failed_attempt(
    engine: AsyncEngine, clock: FakeClock, authority: trustme.CA
) -> None:
    place = await school(engine)
    async with receiving(tls=tls_server(authority, "other.example"), host="hooks.example") as receiver:
        await endpoint(engine, place.organization_id, receiver.url)
        await record(engine, linked(place.organization_id))
        resolver = StaticResolver({"hooks.example": ["127.0.0.1"]})

        await tls_dispatcher(engine, clock, authority, resolver).run_once()

        assert receiver.received == []
    [delivery] = await deliveries(engine)
    assert (delivery["status"], delivery["last_status_code"]) == ("PENDING", None)
    assert delivery["last_error"] in {"CONNECT_ERROR", "ConnectError"}
