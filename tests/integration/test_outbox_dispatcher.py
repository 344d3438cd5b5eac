"""The outbox dispatcher against the real database (both legs) and a real SMTP server (aiosmtpd on
loopback, started by each test). Time is injected: no test sleeps for a backoff or a lease."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.notifications.email import (
    INVITATION,
    PASSWORD_RESET,
    EmailSender,
    RenderedEmail,
)
from domain.notifications.outbox import QueuedEmail
from infrastructure.db.engine import create_engine
from infrastructure.db.repositories.outbox import SqlEmailOutbox
from infrastructure.db.tables import invitations, organizations, outbox_emails
from infrastructure.email.console import ConsoleEmailSender
from infrastructure.email.factory import build_dispatcher, build_email_sender
from infrastructure.email.outbox_dispatcher import OutboxDispatcher
from infrastructure.email.rendering import JinjaEmailRenderer
from infrastructure.email.smtp import SmtpEmailSender
from infrastructure.settings import Settings
from tests.support.clocks import FakeClock
from tests.support.smtp import Mailbox, refused_port, smtp_server

EMAIL_FROM = "Pix Orga - Ne pas répondre <ne-pas-repondre@pix.fr>"
PIX_ORGA_URL = "http://localhost:4201"
PIX_APP_URL = "http://localhost:4200"
BASE_BACKOFF = timedelta(seconds=30)
LEASE = timedelta(minutes=5)


# --- time, data and the dispatcher ------------------------------------------------------------


def smtp_sender(port: int) -> SmtpEmailSender:
    return SmtpEmailSender(f"smtp://127.0.0.1:{port}", EMAIL_FROM, timeout=5)


def make_dispatcher(
    engine: AsyncEngine, sender: EmailSender, clock: FakeClock, **options: Any
) -> OutboxDispatcher:
    options.setdefault("max_attempts", 8)
    return OutboxDispatcher(
        engine,
        sender,
        JinjaEmailRenderer(PIX_ORGA_URL, PIX_APP_URL),
        lease=LEASE,
        base_backoff=BASE_BACKOFF,
        now=clock,
        **options,
    )


@dataclass(frozen=True)
class QueuedInvitation:
    invitation_id: int
    address: str
    code: str

    @property
    def link(self) -> str:
        return f"{PIX_ORGA_URL}/rejoindre?invitation_id={self.invitation_id}&code={self.code}"


async def _organization(connection: AsyncConnection) -> int:
    result = await connection.execute(
        insert(organizations)
        .values(name="Lycée Pix", type="SCO", is_managing_students=True, created_at=datetime.now(UTC))
        .returning(organizations.c.id)
    )
    return int(result.scalar_one())


async def _invitation(connection: AsyncConnection, organization_id: int, address: str) -> int:
    now = datetime.now(UTC)
    result = await connection.execute(
        insert(invitations)
        .values(
            organization_id=organization_id,
            email=address,
            role="MEMBER",
            status="PENDING",
            code_hash=secrets.token_hex(32),
            locale="fr",
            is_activation=False,
            created_at=now,
            updated_at=now,
            last_sent_at=now,
            expires_at=now + timedelta(days=30),
            delivery_status="QUEUED",
        )
        .returning(invitations.c.id)
    )
    return int(result.scalar_one())


async def _enqueue(
    connection: AsyncConnection, invitation_id: int, address: str, **param_overrides: Any
) -> QueuedInvitation:
    code = secrets.token_urlsafe(16)
    params: dict[str, Any] = {
        "organization_name": "Lycée Pix",
        "invitation_id": invitation_id,
        "code": code,
        "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "role": "MEMBER",
    }
    params.update(param_overrides)
    params = {name: value for name, value in params.items() if value is not None}
    await SqlEmailOutbox(connection).enqueue(
        QueuedEmail(kind=INVITATION, locale="fr", to=address, params=params, invitation_id=invitation_id)
    )
    return QueuedInvitation(invitation_id, address, code)


async def queue_invitations(
    engine: AsyncEngine, count: int = 1, **param_overrides: Any
) -> list[QueuedInvitation]:
    """``count`` pending invitations of one organization, each with its e-mail queued."""
    async with engine.begin() as connection:
        organization_id = await _organization(connection)
        queued = []
        for number in range(1, count + 1):
            address = f"prof{number}@ac-paris.fr"
            invitation_id = await _invitation(connection, organization_id, address)
            queued.append(await _enqueue(connection, invitation_id, address, **param_overrides))
    return queued


async def outbox_rows(engine: AsyncEngine) -> list[RowMapping]:
    async with engine.connect() as connection:
        result = await connection.execute(
            select(outbox_emails, outbox_emails.c.payload.is_(None).label("payload_is_sql_null")).order_by(
                outbox_emails.c.id
            )
        )
        return list(result.mappings())


async def outbox_row(engine: AsyncEngine) -> RowMapping:
    [row] = await outbox_rows(engine)
    return row


async def delivery_status(engine: AsyncEngine, invitation_id: int) -> str:
    async with engine.connect() as connection:
        status = await connection.scalar(
            select(invitations.c.delivery_status).where(invitations.c.id == invitation_id)
        )
    return str(status)


class Crash(BaseException):
    """The worker dies: not an ``Exception``, so nothing in the dispatcher handles it."""


@dataclass
class HookedSender:
    """Wraps a real sender and runs a hook before or after each send (a crash, a stop, a delay)."""

    inner: EmailSender
    before: Callable[[RenderedEmail], Awaitable[None]] | None = None
    after: Callable[[RenderedEmail], Awaitable[None]] | None = None

    async def send(self, email: RenderedEmail) -> None:
        if self.before is not None:
            await self.before(email)
        await self.inner.send(email)
        if self.after is not None:
            await self.after(email)


async def wait_until(condition: Callable[[], bool], timeout: float = 5) -> None:
    """Only for what runs in another task or thread on its own schedule."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


# --- delivery -----------------------------------------------------------------------------------


async def test_a_queued_invitation_is_delivered_once_and_recorded(
    engine: AsyncEngine, clean_database: str
) -> None:
    [queued] = await queue_invitations(engine)
    with smtp_server() as mailbox:
        settings = Settings(
            _env_file=None,
            database_url=clean_database,
            environment="test",
            email_backend="smtp",
            smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
            pix_orga_url=PIX_ORGA_URL,
        )
        dispatcher = build_dispatcher(settings, engine)  # the real clock: the row is due now
        assert await dispatcher.run_once() == 1
        assert await dispatcher.run_once() == 0

    [received] = mailbox.received
    assert received.rcpt_tos == [queued.address]
    assert received.message()["Subject"] == "Invitation à rejoindre Pix Orga"
    assert queued.link in received.text()
    assert "Lycée Pix" in received.text()

    row = await outbox_row(engine)
    assert row["status"] == "SENT"
    assert row["attempts"] == 1
    assert row["sent_at"] is not None
    assert abs(row["sent_at"] - datetime.now(UTC)) < timedelta(minutes=1)
    assert row["payload_is_sql_null"], "the secret link is erased (SQL NULL, not JSON null)"
    assert row["claimed_until"] is None
    assert row["last_error"] is None
    assert await delivery_status(engine, queued.invitation_id) == "SENT"
    assert await dispatcher.queue_depth() == {"QUEUED": 0, "SENT": 1, "FAILED": 0}


async def test_smtp_down_keeps_the_email_queued_then_delivers_it_once_when_back(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    [queued] = await queue_invitations(engine)
    with refused_port() as port:
        dispatcher = make_dispatcher(engine, smtp_sender(port), clock)
        assert await dispatcher.run_once() == 1

        row = await outbox_row(engine)
        assert row["status"] == "QUEUED"
        assert row["attempts"] == 1
        assert clock() + BASE_BACKOFF <= row["next_attempt_at"] <= clock() + BASE_BACKOFF * 1.1
        assert row["claimed_until"] is None, "released at once, not held until the lease ends"
        assert row["last_error"] == "EmailDeliveryError"
        assert not row["payload_is_sql_null"]
        assert await delivery_status(engine, queued.invitation_id) == "QUEUED"
        assert await dispatcher.run_once() == 0, "not due before its backoff"

    with smtp_server(port=port) as mailbox:
        assert await dispatcher.run_once() == 0, "still not due: time has not moved"
        assert mailbox.received == []
        clock.advance(BASE_BACKOFF * 1.1 + timedelta(seconds=1))
        assert await dispatcher.run_once() == 1
        assert await dispatcher.run_once() == 0

    assert mailbox.recipients() == {queued.address: 1}
    assert queued.link in mailbox.received[0].text()
    row = await outbox_row(engine)
    assert row["status"] == "SENT"
    assert row["attempts"] == 2
    assert row["sent_at"] == clock()
    assert row["last_error"] is None
    assert row["payload_is_sql_null"]
    assert await delivery_status(engine, queued.invitation_id) == "SENT"


async def test_backoff_doubles_and_the_last_attempt_marks_the_email_and_the_invitation_failed(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    [queued] = await queue_invitations(engine)
    with refused_port() as port:
        dispatcher = make_dispatcher(engine, smtp_sender(port), clock, max_attempts=4)
        delays = []
        for attempt in range(1, 4):
            assert await dispatcher.run_once() == 1
            row = await outbox_row(engine)
            assert (row["status"], row["attempts"]) == ("QUEUED", attempt)
            delays.append(row["next_attempt_at"] - clock())
            clock.advance(delays[-1])
        assert await dispatcher.run_once() == 1
        assert await dispatcher.run_once() == 0

    for attempt, delay in enumerate(delays, start=1):
        expected = BASE_BACKOFF * 2 ** (attempt - 1)
        assert expected <= delay <= expected * 1.1
    row = await outbox_row(engine)
    assert row["status"] == "FAILED"
    assert row["attempts"] == 4
    assert row["last_error"] == "EmailDeliveryError"
    assert row["sent_at"] is None
    assert row["payload_is_sql_null"], "a failed e-mail keeps no secret link either"
    assert await delivery_status(engine, queued.invitation_id) == "FAILED"
    assert await dispatcher.queue_depth() == {"QUEUED": 0, "SENT": 0, "FAILED": 1}


async def test_backoff_is_capped(engine: AsyncEngine, clock: FakeClock) -> None:
    await queue_invitations(engine)
    with refused_port() as port:
        dispatcher = make_dispatcher(engine, smtp_sender(port), clock, max_backoff=timedelta(minutes=1))
        for _ in range(4):
            assert await dispatcher.run_once() == 1
            delay = (await outbox_row(engine))["next_attempt_at"] - clock()
            clock.advance(delay)
    assert timedelta(minutes=1) <= delay <= timedelta(minutes=1) * 1.1


async def test_a_permanent_refusal_fails_at_once(engine: AsyncEngine, clock: FakeClock) -> None:
    [queued] = await queue_invitations(engine)
    refusal = Mailbox(rcpt_reply=f"550 5.1.1 <{queued.address}>: Recipient address rejected")
    with smtp_server(refusal) as mailbox:
        dispatcher = make_dispatcher(engine, smtp_sender(mailbox.port), clock)
        assert await dispatcher.run_once() == 1
        clock.advance(timedelta(days=1))
        assert await dispatcher.run_once() == 0

    assert mailbox.received == []
    row = await outbox_row(engine)
    assert row["status"] == "FAILED"
    assert row["attempts"] == 1
    assert row["last_error"] == "EmailDeliveryError (SMTP 550)", "no address, no server text"
    assert row["payload_is_sql_null"]
    assert await delivery_status(engine, queued.invitation_id) == "FAILED"


async def test_parameters_the_renderer_refuses_fail_at_once_without_contacting_smtp(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    [queued] = await queue_invitations(engine, code=None)  # no code: no link can be built
    with smtp_server() as mailbox:
        dispatcher = make_dispatcher(engine, smtp_sender(mailbox.port), clock)
        assert await dispatcher.run_once() == 1

    assert mailbox.received == []
    row = await outbox_row(engine)
    assert (row["status"], row["attempts"], row["last_error"]) == ("FAILED", 1, "ValueError")
    assert await delivery_status(engine, queued.invitation_id) == "FAILED"


async def test_the_outcome_of_an_older_email_does_not_change_a_resent_invitation(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    [first] = await queue_invitations(engine)
    async with engine.begin() as connection:  # a resend: a new code, a new e-mail, due later
        resent = await _enqueue(connection, first.invitation_id, first.address)
        await connection.execute(
            update(outbox_emails)
            .where(outbox_emails.c.id == 2)
            .values(next_attempt_at=clock() + timedelta(minutes=1))
        )

    with smtp_server() as mailbox:
        dispatcher = make_dispatcher(engine, smtp_sender(mailbox.port), clock)
        assert await dispatcher.run_once() == 1
        assert [row["status"] for row in await outbox_rows(engine)] == ["SENT", "QUEUED"]
        assert await delivery_status(engine, first.invitation_id) == "QUEUED", "the newer e-mail is pending"

        clock.advance(timedelta(minutes=2))
        assert await dispatcher.run_once() == 1

    assert [row["status"] for row in await outbox_rows(engine)] == ["SENT", "SENT"]
    assert await delivery_status(engine, first.invitation_id) == "SENT"
    assert first.link in mailbox.received[0].text()
    assert resent.link in mailbox.received[1].text()


async def test_emails_without_an_invitation_are_sent_too(engine: AsyncEngine, clock: FakeClock) -> None:
    async with engine.begin() as connection:
        await SqlEmailOutbox(connection).enqueue(
            QueuedEmail(
                kind=PASSWORD_RESET,
                locale="en",
                to="ada@example.fr",
                params={"token": "reset-token-123", "app": "app"},
            )
        )
    with smtp_server() as mailbox:
        assert await make_dispatcher(engine, smtp_sender(mailbox.port), clock).run_once() == 1

    [received] = mailbox.received
    assert received.message()["Subject"] == "Password reset request"
    assert f"{PIX_APP_URL}/mot-de-passe-oublie?token=reset-token-123" in received.text()
    assert (await outbox_row(engine))["status"] == "SENT"


# --- crashes, leases and concurrency ----------------------------------------------------------


async def test_rows_of_a_crashed_worker_are_sent_after_the_lease(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    [queued] = await queue_invitations(engine)

    async def crash(_: RenderedEmail) -> None:
        raise Crash

    with smtp_server() as mailbox:
        crashing = make_dispatcher(engine, HookedSender(smtp_sender(mailbox.port), before=crash), clock)
        with pytest.raises(Crash):
            await crashing.run_once()
        row = await outbox_row(engine)
        assert (row["status"], row["attempts"], row["claimed_until"]) == ("QUEUED", 0, clock() + LEASE)

        survivor = make_dispatcher(engine, smtp_sender(mailbox.port), clock)
        assert await survivor.run_once() == 0, "leased: nobody else takes it"
        clock.advance(LEASE + timedelta(seconds=1))
        assert await survivor.run_once() == 1

    assert mailbox.recipients() == {queued.address: 1}
    assert (await outbox_row(engine))["status"] == "SENT"
    assert await delivery_status(engine, queued.invitation_id) == "SENT"


async def test_a_crash_after_smtp_accepted_sends_the_email_twice_as_documented(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    """The one case of a duplicate (at-least-once): accepted by SMTP, not yet recorded SENT."""
    [queued] = await queue_invitations(engine)

    async def crash(_: RenderedEmail) -> None:
        raise Crash

    with smtp_server() as mailbox:
        crashing = make_dispatcher(engine, HookedSender(smtp_sender(mailbox.port), after=crash), clock)
        with pytest.raises(Crash):
            await crashing.run_once()
        assert mailbox.recipients() == {queued.address: 1}
        assert (await outbox_row(engine))["status"] == "QUEUED"

        clock.advance(LEASE + timedelta(seconds=1))
        assert await make_dispatcher(engine, smtp_sender(mailbox.port), clock).run_once() == 1

    assert mailbox.recipients() == {queued.address: 2}
    assert (await outbox_row(engine))["status"] == "SENT"


async def test_a_worker_past_its_lease_stops_sending_and_never_overwrites_the_new_claim(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    first, second = await queue_invitations(engine, count=2)
    with smtp_server() as mailbox:
        other = make_dispatcher(engine, smtp_sender(mailbox.port), clock)
        other_processed: list[int] = []

        async def stall_past_the_lease(_: RenderedEmail) -> None:
            # The first worker hangs in its first send; its lease runs out and another takes over.
            clock.advance(LEASE + timedelta(seconds=1))
            other_processed.append(await other.run_once())

        slow = make_dispatcher(
            engine, HookedSender(smtp_sender(mailbox.port), before=stall_past_the_lease), clock
        )
        slow_processed = await slow.run_once()

    assert other_processed == [2], "the other worker took both rows once the lease ran out"
    assert slow_processed == 1, "the slow worker finished its e-mail in flight, then left the batch"
    assert mailbox.recipients() == {first.address: 2, second.address: 1}
    rows = await outbox_rows(engine)
    assert [(row["status"], row["attempts"]) for row in rows] == [("SENT", 1), ("SENT", 1)]


async def test_two_dispatchers_deliver_each_of_200_emails_exactly_once(
    engine: AsyncEngine, clean_database: str, clock: FakeClock
) -> None:
    """On PostgreSQL with SKIP LOCKED; on SQLite through BEGIN IMMEDIATE and the conditional claim."""
    queued = await queue_invitations(engine, count=200)
    other_engine = create_engine(clean_database)
    try:
        with smtp_server() as mailbox:
            dispatchers = [
                make_dispatcher(db, smtp_sender(mailbox.port), clock, batch_size=5)
                for db in (engine, other_engine)
            ]

            async def drain(dispatcher: OutboxDispatcher) -> int:
                total = 0
                while processed := await dispatcher.run_once():
                    total += processed
                return total

            # Both engines connected before the race: on a loaded machine the second one's first
            # connection could otherwise come after the first had drained the queue alone.
            for db in (engine, other_engine):
                async with db.connect() as connection:
                    await connection.execute(select(1))
            # Each dispatcher runs four loops at once, as a worker process would run several
            # concurrent batches: many more claims race each other than with one loop each.
            loops = await asyncio.gather(*(drain(dispatcher) for dispatcher in dispatchers for _ in range(4)))
            counts = [sum(loops[:4]), sum(loops[4:])]
    finally:
        await other_engine.dispose()

    assert sum(counts) == 200
    assert all(count > 0 for count in counts), f"both dispatchers took work: {counts}"
    assert mailbox.recipients() == {invitation.address: 1 for invitation in queued}
    assert await dispatchers[0].queue_depth() == {"QUEUED": 0, "SENT": 200, "FAILED": 0}
    async with engine.connect() as connection:
        statuses = await connection.execute(
            select(invitations.c.delivery_status, func.count()).group_by(invitations.c.delivery_status)
        )
        assert dict(statuses.all()) == {"SENT": 200}


# --- run_forever --------------------------------------------------------------------------------


async def test_run_forever_finishes_the_email_in_flight_and_releases_the_rest_when_stopped(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    await queue_invitations(engine, count=3)
    stop = asyncio.Event()

    async def stop_now(_: RenderedEmail) -> None:
        stop.set()  # SIGTERM arrives while the first e-mail is being sent

    with smtp_server() as mailbox:
        dispatcher = make_dispatcher(engine, HookedSender(smtp_sender(mailbox.port), before=stop_now), clock)
        await asyncio.wait_for(dispatcher.run_forever(stop, idle_interval=60), timeout=5)

    assert len(mailbox.received) == 1
    rows = await outbox_rows(engine)
    assert [row["status"] for row in rows] == ["SENT", "QUEUED", "QUEUED"]
    assert [row["claimed_until"] for row in rows[1:]] == [None, None], "released for the next worker"


async def test_run_forever_sends_what_is_queued_then_idles_until_stopped(engine: AsyncEngine) -> None:
    queued = await queue_invitations(engine, count=2)
    stop = asyncio.Event()
    with smtp_server() as mailbox:
        dispatcher = make_dispatcher(engine, smtp_sender(mailbox.port), FakeClock())
        task = asyncio.create_task(dispatcher.run_forever(stop, idle_interval=60))
        await wait_until(lambda: len(mailbox.received) == 2)
        stop.set()
        await asyncio.wait_for(task, timeout=2)  # not the 60 s idle interval

    assert mailbox.recipients() == {invitation.address: 1 for invitation in queued}


async def test_run_forever_survives_a_database_outage_and_logs_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="infrastructure.email.outbox_dispatcher")
    with refused_port() as database_port, refused_port() as smtp_port:
        unreachable = create_engine(f"postgresql://pix:database-s3cret@127.0.0.1:{database_port}/pix")
        try:
            dispatcher = make_dispatcher(unreachable, smtp_sender(smtp_port), FakeClock())
            stop = asyncio.Event()
            task = asyncio.create_task(dispatcher.run_forever(stop, idle_interval=0.01))
            await wait_until(lambda: len(caplog.records) >= 3)
            assert not task.done(), "the worker keeps going"
            stop.set()
            await asyncio.wait_for(task, timeout=2)
        finally:
            await unreachable.dispose()

    warnings = [record.getMessage() for record in caplog.records]
    assert all(record.levelno == logging.WARNING for record in caplog.records)
    assert all(message.startswith("outbox dispatch failed (") for message in warnings), warnings
    assert not any("s3cret" in message or "pix:" in message for message in warnings)


# --- the factory --------------------------------------------------------------------------------


def test_build_email_sender_follows_email_backend() -> None:
    url = "smtp://mail.example.org:587?starttls=true"
    console = Settings(_env_file=None, email_backend="console")
    smtp = Settings(_env_file=None, email_backend="smtp", smtp_url=url)

    assert isinstance(build_email_sender(console), ConsoleEmailSender)
    sender = build_email_sender(smtp)
    assert isinstance(sender, SmtpEmailSender)
    assert sender.config.redacted_url == "smtp://mail.example.org:587?starttls=true"
