"""The webhook dispatcher: delivers the deliveries queued in ``webhook_deliveries``.

Use cases record webhook events in the transaction of the change that causes them, one
``PENDING`` delivery per subscribed endpoint (``SqlWebhookEventLog``); this worker claims the due
ones, signs them (Standard Webhooks, with the ``standardwebhooks`` package), POSTs them and records
the outcome. It runs inside ``pix-orga serve`` (``OUTBOX_IN_PROCESS=true``) or in ``pix-orga
worker``, beside the e-mail outbox's dispatcher, as many copies as wanted.

Claiming, as for the e-mail outbox, follows ``infrastructure/db/lease.py`` (a lease whose end is
the claim's token): a delivery is due when it is ``PENDING``, ``next_attempt_at <= now``, not
leased and its endpoint is ``ENABLED``; a batch is claimed for ``WEBHOOK_LEASE_SECONDS`` in a short
transaction, and the receivers are talked to only after it commits.

Fairness. The batch is taken round-robin across endpoints (each endpoint's first due delivery,
then each one's second…), and the deliveries of a batch are sent concurrently (``concurrency`` at
a time), so that an endpoint with a backlog, or one that answers slowly, does not hold up the
others: a slow endpoint costs at most ``WEBHOOK_TIMEOUT_SECONDS`` per delivery, in parallel.

Outcomes. A 2xx answer within ``WEBHOOK_TIMEOUT_SECONDS``: ``DELIVERED``, and the endpoint's
``failing_since`` is cleared. Anything else (an error status, a redirect, which is never followed,
a timeout, a refused connection, a name that no longer resolves or resolves to a non-public
address): ``attempts + 1``, ``last_status_code`` and ``last_error`` (a label, never a message or a
URL) kept, and the delivery is tried again after ``retry_delay`` (30 s, doubling, at most an hour,
with jitter), until it is three days old, when it is ``FAILED``. The endpoint's ``failing_since``
is set at its first failure since its last success; once it is three days old the endpoint is
``DISABLED`` (its pending deliveries wait, and go out if an administrator enables it again), the
change is audited (actor ``system``) and each active administrator of the organization is sent an
e-mail through the e-mail outbox, in the same transaction.

Delivery guarantee: at least once, as for the e-mails. A worker that dies after claiming leaves
its deliveries leased, and they are claimed again once the lease has run out. A delivery is sent
twice when the receiver answered 2xx and the worker did not record it (killed, stalled past its
lease, database lost in between), or when the answer was lost on the wire. Receivers deduplicate
with the ``webhook-id`` header, which is the same at every attempt of an event (``msg_<event
id>``), as the Standard Webhooks specification expects.

The worker logs delivery, event and endpoint ids, attempt numbers, status codes and error labels,
never a URL (it may hold a token), a payload or a secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from standardwebhooks import Webhook

from domain.audit.events import Actor, AuditEvent
from domain.notifications.email import WEBHOOK_DISABLED
from domain.notifications.outbox import QueuedEmail
from domain.organizations.entities import Role
from domain.webhooks.decisions import next_attempt_after_failure, should_disable
from domain.webhooks.entities import EndpointStatus
from domain.webhooks.ports import SecretCipher
from infrastructure.db.lease import Lease
from infrastructure.db.repositories.audit import SqlAuditLog
from infrastructure.db.repositories.outbox import SqlEmailOutbox
from infrastructure.db.repositories.webhooks import DELIVERED, FAILED, PENDING
from infrastructure.db.tables import (
    memberships,
    organizations,
    users,
    webhook_deliveries,
    webhook_endpoints,
    webhook_events,
)
from infrastructure.webhooks.sender import HttpWebhookSender, SendResult

logger = logging.getLogger(__name__)

STATUSES: Final = (PENDING, DELIVERED, FAILED)
MAX_OUTAGE_DELAY: Final = 30.0

_delivery = webhook_deliveries.c
_endpoint = webhook_endpoints.c
_event = webhook_events.c


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Claimed:
    id: int
    endpoint_id: int
    event_id: int
    attempts: int
    created_at: datetime
    organization_id: int
    url: str = field(repr=False)
    encrypted_secret: bytes = field(repr=False)
    event_type: str
    payload: Any = field(repr=False)
    occurred_at: datetime


def message_body(event_type: str, occurred_at: datetime, organization_id: int, payload: Any) -> str:
    """The JSON body of a delivery: ``{"type", "timestamp", "data": {"organization_id", ...}}``."""
    data = {"organization_id": organization_id, **(payload or {})}
    return json.dumps(
        {"type": event_type, "timestamp": occurred_at.isoformat(), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )


class WebhookDispatcher:
    """Claims due deliveries, signs and sends them, and records each outcome (see the module
    docstring for the claim protocol, the retries and the at-least-once guarantee)."""

    def __init__(
        self,
        engine: AsyncEngine,
        sender: HttpWebhookSender,
        cipher: SecretCipher,
        *,
        batch_size: int = 50,
        concurrency: int = 16,
        lease: timedelta = timedelta(minutes=2),
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        if batch_size < 1 or concurrency < 1:
            raise ValueError("batch_size and concurrency must be at least 1")
        self._lease = Lease(webhook_deliveries, _delivery.status, PENDING, lease)
        self._engine = engine
        self._sender = sender
        self._cipher = cipher
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._now = now
        self._random = random.Random()  # jitter only, nothing secret  # noqa: S311

    async def run_once(self) -> int:
        """Claim up to ``batch_size`` due deliveries, send them and record each outcome; returns how
        many were attempted. Database errors propagate; claimed deliveries come back after the lease."""
        return await self._run_batch(stop=None)

    async def run_forever(self, stop: asyncio.Event, idle_interval: float = 1.0) -> None:
        """Dispatch until ``stop`` is set; survives database outages (warns, retries with backoff up
        to ``MAX_OUTAGE_DELAY``). When ``stop`` is set, finishes the deliveries in flight and
        releases the rest of its batch."""
        outage_delay = idle_interval
        try:
            while not stop.is_set():
                try:
                    processed = await self._run_batch(stop)
                except Exception as error:  # the worker must outlive any failure; it retries later
                    logger.warning(
                        "webhook dispatch failed (%s); retrying in %.1f s", type(error).__name__, outage_delay
                    )
                    await _wait(stop, outage_delay)
                    outage_delay = min(outage_delay * 2, max(MAX_OUTAGE_DELAY, idle_interval))
                    continue
                outage_delay = idle_interval
                if processed == 0:
                    await _wait(stop, idle_interval)
        finally:
            await self._sender.aclose()

    async def queue_depth(self) -> dict[str, int]:
        """How many deliveries are in each status (every status present, zero included)."""
        async with self._engine.connect() as connection:
            result = await connection.execute(
                select(_delivery.status, func.count()).group_by(_delivery.status)
            )
            depth = dict.fromkeys(STATUSES, 0)
            depth.update({str(status): int(count) for status, count in result.all()})
            return depth

    # --- one batch ------------------------------------------------------------------------------

    async def _run_batch(self, stop: asyncio.Event | None) -> int:
        claimed, token = await self._claim()
        if not claimed:
            return 0
        limit = asyncio.Semaphore(self._concurrency)
        leftover: list[_Claimed] = []

        async def one(row: _Claimed) -> bool:
            async with limit:
                if (stop is not None and stop.is_set()) or self._now() >= token:
                    # Stopping, or the lease ran out while earlier deliveries were sent: another
                    # worker may have claimed this one, so sending it could send it twice.
                    leftover.append(row)
                    return False
                try:
                    await self._deliver(row, token)
                except Exception as error:  # the database failed mid-record: back after the lease
                    logger.warning(
                        "webhook delivery %d could not be recorded (%s); retried after its lease",
                        row.id,
                        type(error).__name__,
                    )
                return True

        done = await asyncio.gather(*(one(row) for row in claimed))
        if leftover:
            await self._release(leftover, token)
        return sum(done)

    async def _claim(self) -> tuple[list[_Claimed], datetime]:
        now = self._now()
        enabled = select(_endpoint.id).where(_endpoint.status == EndpointStatus.ENABLED.value)
        # Round-robin across endpoints: rank each endpoint's due deliveries, take by rank first.
        ranked = (
            select(
                _delivery.id,
                _delivery.next_attempt_at,
                func.row_number()
                .over(partition_by=_delivery.endpoint_id, order_by=(_delivery.next_attempt_at, _delivery.id))
                .label("rank"),
            )
            .where(self._lease.due(now), _delivery.endpoint_id.in_(enabled))
            .subquery()
        )
        picked = (
            select(ranked.c.id)
            .order_by(ranked.c.rank, ranked.c.next_attempt_at, ranked.c.id)
            .limit(self._batch_size)
        )
        async with self._engine.begin() as connection:
            token, claimed_rows = await self._lease.claim(
                connection, picked, now, _delivery.id, windowed=True
            )
            if not claimed_rows:
                return [], token
            claimed_ids = [row.id for row in claimed_rows]
            rows = (
                await connection.execute(
                    select(
                        _delivery.id,
                        _delivery.endpoint_id,
                        _delivery.event_id,
                        _delivery.attempts,
                        _delivery.created_at,
                        _endpoint.organization_id,
                        _endpoint.url,
                        _endpoint.encrypted_secret,
                        _event.type,
                        _event.payload,
                        _event.created_at.label("occurred_at"),
                    )
                    .join(webhook_endpoints, _endpoint.id == _delivery.endpoint_id)
                    .join(webhook_events, _event.id == _delivery.event_id)
                    .where(_delivery.id.in_(claimed_ids))
                    .order_by(_delivery.id)
                )
            ).all()
        claimed = [
            _Claimed(
                id=row.id,
                endpoint_id=row.endpoint_id,
                event_id=row.event_id,
                attempts=row.attempts,
                created_at=row.created_at,
                organization_id=row.organization_id,
                url=row.url,
                encrypted_secret=row.encrypted_secret,
                event_type=row.type,
                payload=row.payload,
                occurred_at=row.occurred_at,
            )
            for row in rows
        ]
        return claimed, token

    async def _release(self, rows: Sequence[_Claimed], token: datetime) -> None:
        async with self._engine.begin() as connection:
            await self._lease.release(connection, [row.id for row in rows], token)

    # --- one delivery ---------------------------------------------------------------------------

    async def _deliver(self, row: _Claimed, token: datetime) -> None:
        try:
            secret = self._cipher.decrypt(row.encrypted_secret)
        except Exception as error:  # a secret encrypted under another SECRET_KEY: cannot sign
            result = SendResult(error=f"SECRET_{type(error).__name__}"[:64])
        else:
            body = message_body(row.event_type, row.occurred_at, row.organization_id, row.payload)
            message_id = f"msg_{row.event_id}"
            signed_at = datetime.now(UTC)  # the receiver compares it with its own clock
            headers = {
                "webhook-id": message_id,
                "webhook-timestamp": str(int(signed_at.timestamp())),
                "webhook-signature": Webhook(secret).sign(message_id, signed_at, body),
            }
            try:
                result = await self._sender.send(row.url, headers, body.encode("utf-8"))
            except Exception as error:  # an unexpected sender failure: a failed attempt, retried
                result = SendResult(error=type(error).__name__[:64])
        if result.delivered:
            await self._record_delivered(row, token, result)
        else:
            await self._record_failure(row, token, result)

    async def _record_delivered(self, row: _Claimed, token: datetime, result: SendResult) -> None:
        now = self._now()
        attempts = row.attempts + 1
        async with self._engine.begin() as connection:
            recorded = await self._finish(
                connection,
                row,
                token,
                status=DELIVERED,
                attempts=attempts,
                last_status_code=result.status_code,
                last_error=None,
                last_attempt_at=now,
                delivered_at=now,
                claimed_until=None,
            )
            if recorded:
                await connection.execute(
                    update(webhook_endpoints)
                    .where(_endpoint.id == row.endpoint_id, _endpoint.failing_since.is_not(None))
                    .values(failing_since=None)
                )
        if recorded:
            logger.info(
                "webhook delivery %d (event %d, %s) to endpoint %d delivered at attempt %d",
                row.id,
                row.event_id,
                row.event_type,
                row.endpoint_id,
                attempts,
            )

    async def _record_failure(self, row: _Claimed, token: datetime, result: SendResult) -> None:
        now = self._now()
        attempts = row.attempts + 1
        next_attempt = next_attempt_after_failure(row.created_at, attempts, now, self._random.random())
        disabled = False
        async with self._engine.begin() as connection:
            outcome: dict[str, Any] = {
                "attempts": attempts,
                "last_status_code": result.status_code,
                "last_error": result.error,
                "last_attempt_at": now,
                "claimed_until": None,
            }
            if next_attempt is None:
                outcome["status"] = FAILED
            else:
                outcome["next_attempt_at"] = next_attempt
            recorded = await self._finish(connection, row, token, **outcome)
            if recorded:
                disabled = await self._endpoint_failed(connection, row, now)
        if not recorded:
            return
        logger.warning(
            "webhook delivery %d (event %d, %s) to endpoint %d attempt %d failed: %s%s",
            row.id,
            row.event_id,
            row.event_type,
            row.endpoint_id,
            attempts,
            result.error,
            "; given up" if next_attempt is None else f"; next attempt at {next_attempt.isoformat()}",
        )
        if disabled:
            logger.warning("webhook endpoint %d failed for three days: disabled", row.endpoint_id)

    async def _finish(
        self, connection: AsyncConnection, row: _Claimed, token: datetime, **values: Any
    ) -> bool:
        if await self._lease.record(connection, row.id, token, **values):
            return True
        logger.warning(
            "webhook delivery %d was claimed by another worker before its outcome was recorded", row.id
        )
        return False

    async def _endpoint_failed(self, connection: AsyncConnection, row: _Claimed, now: datetime) -> bool:
        """Start the endpoint's failing period if none runs; disable it once three days old, audit it
        and e-mail the organization's administrators. True when this call disabled it."""
        await connection.execute(
            update(webhook_endpoints)
            .where(_endpoint.id == row.endpoint_id, _endpoint.failing_since.is_(None))
            .values(failing_since=now)
        )
        endpoint = (
            await connection.execute(
                select(_endpoint.failing_since, _endpoint.status, _endpoint.url).where(
                    _endpoint.id == row.endpoint_id
                )
            )
        ).one_or_none()
        if endpoint is None or endpoint.status != EndpointStatus.ENABLED.value:
            return False
        if not should_disable(endpoint.failing_since, now):
            return False
        changed = await connection.execute(
            update(webhook_endpoints)
            .where(_endpoint.id == row.endpoint_id, _endpoint.status == EndpointStatus.ENABLED.value)
            .values(status=EndpointStatus.DISABLED.value, updated_at=now)
        )
        if changed.rowcount != 1:
            return False
        await SqlAuditLog(connection).record(
            AuditEvent(
                type="WEBHOOK_ENDPOINT_DISABLED",
                actor=Actor(None, "system"),
                occurred_at=now,
                organization_id=row.organization_id,
                target_type="webhook_endpoint",
                target_id=row.endpoint_id,
                details={"failing_since": endpoint.failing_since.isoformat(), "reason": "FAILING_3_DAYS"},
            )
        )
        await self._email_administrators(connection, row, urlsplit(endpoint.url).hostname or "")
        return True

    async def _email_administrators(self, connection: AsyncConnection, row: _Claimed, host: str) -> None:
        name = (
            await connection.execute(
                select(organizations.c.name).where(organizations.c.id == row.organization_id)
            )
        ).scalar_one()
        admins = (
            await connection.execute(
                select(users.c.email, users.c.locale)
                .join(memberships, memberships.c.user_id == users.c.id)
                .where(
                    memberships.c.organization_id == row.organization_id,
                    memberships.c.role == Role.ADMIN.value,
                    memberships.c.disabled_at.is_(None),
                    users.c.email.is_not(None),
                )
                .order_by(memberships.c.id)
            )
        ).all()
        outbox = SqlEmailOutbox(connection)
        for admin in admins:
            await outbox.enqueue(
                QueuedEmail(
                    kind=WEBHOOK_DISABLED,
                    locale=admin.locale,
                    to=admin.email,
                    params={"organization_name": name, "endpoint_id": row.endpoint_id, "host": host},
                )
            )


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
