"""The outbox dispatcher: sends the e-mails queued in ``outbox_emails`` (docs/architecture.md, rule 4).

Use cases write e-mails to the outbox in the transaction of the change that causes them; this
worker claims the due ones, renders and sends them, and records the outcome. It runs inside
``pix-orga serve`` (``OUTBOX_IN_PROCESS=true``) or as ``pix-orga worker``, as many copies as
wanted, on one or several machines.

Claiming follows ``infrastructure/db/lease.py`` (a lease whose end is the claim's token): a row
is due when it is ``QUEUED``, ``next_attempt_at <= now`` and not leased; a batch is claimed for
``OUTBOX_LEASE_SECONDS`` in a short transaction, and SMTP is talked to only after it commits.

Outcomes. Sent: ``SENT``, ``sent_at``, ``payload`` emptied (SQL NULL: the secret link does not
linger), lease released. Temporary failure (server unreachable, timeout, 4xx reply, credentials):
``attempts + 1``, ``next_attempt_at = now + base_backoff × 2^(attempts - 1)`` capped at
``max_backoff``, plus up to 10 % of jitter so that workers do not retry in lockstep, and the lease
released. After ``max_attempts`` attempts, or at once on a permanent failure (a 5xx refusal of the
recipient or the content, an invalid address, parameters the renderer refuses), ``FAILED``, with
the payload emptied as well: the e-mail will never be sent, and a resend queues a new one with a
new code. ``attempts`` counts every delivery attempt, the successful one included. ``last_error``
holds the error's class name and SMTP code only, never an address or the server's text. The
linked invitation's ``delivery_status`` follows (``SENT`` or ``FAILED``) when the e-mail is the
invitation's latest: a resend queues a new row, and the outcome of an older row then changes
nothing (the invitation row is locked first, so a resend committing meanwhile is seen).

Delivery guarantee: at least once. Every queued e-mail is eventually sent or marked ``FAILED``,
whatever crashes: a worker that dies after claiming leaves its rows leased, and they are claimed
again once the lease has run out. An e-mail is sent twice in exactly one situation: SMTP accepted
it (the server answered ``250`` to the end of DATA) and the worker did not record ``SENT`` — it
crashed, was killed, lost the database, or was stalled past its lease in between. The row is
still ``QUEUED``, so it is sent again after the lease. When no worker crashes or stalls past its
lease (``OUTBOX_LEASE_SECONDS``, five minutes by default, against a ten-second SMTP timeout per
e-mail), each e-mail is sent exactly once: claims are exclusive, and a worker never starts
sending a row whose lease has run out.
Exactly-once is impossible with SMTP: sending and recording are two systems with no shared
transaction, and SMTP has no idempotency key or two-phase commit. Whichever is done first,
a crash between the two loses either the record (duplicate on retry) or the e-mail (recorded as
sent but never sent); the outbox chooses the duplicate, which is harmless for these e-mails.
The same holds when the server's ``250`` is lost on the wire: the client cannot tell whether the
message was accepted, and must retry.

The worker logs outbox ids, kinds, attempt numbers and error classes, never an address, a link
or an error message that may quote them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import exists, func, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.notifications.email import EmailDeliveryError, EmailRenderer, EmailSender, RenderedEmail
from infrastructure.db.lease import Lease
from infrastructure.db.repositories.outbox import FAILED, QUEUED, SENT
from infrastructure.db.tables import invitations, outbox_emails

logger = logging.getLogger(__name__)

STATUSES: Final = (QUEUED, SENT, FAILED)
JITTER: Final = 0.1
"""Up to this fraction of the backoff is added at random to each retry delay."""
MAX_OUTAGE_DELAY: Final = 30.0
"""``run_forever`` retries at most this many seconds apart while the database is unreachable."""

_outbox = outbox_emails.c


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    locale: str
    payload: Any = field(repr=False)
    invitation_id: int | None
    attempts: int


@dataclass(frozen=True)
class _Failure:
    label: str
    """Class name and SMTP code only: safe to store and to log."""
    permanent: bool


class OutboxDispatcher:
    """Claims due outbox rows, renders and sends them, and records the outcome.

    Any number of dispatchers may run against one database (see the module docstring for the
    claim protocol and the at-least-once guarantee).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        sender: EmailSender,
        renderer: EmailRenderer,
        *,
        max_attempts: int,
        batch_size: int = 20,
        lease: timedelta = timedelta(minutes=5),
        base_backoff: timedelta = timedelta(seconds=30),
        max_backoff: timedelta = timedelta(hours=1),
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._lease = Lease(outbox_emails, _outbox.status, QUEUED, lease)
        self._engine = engine
        self._sender = sender
        self._renderer = renderer
        self._max_attempts = max_attempts
        self._batch_size = batch_size
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        self._now = now
        self._random = random.Random()  # jitter only, nothing secret  # noqa: S311

    async def run_once(self) -> int:
        """Claim up to ``batch_size`` due e-mails, send them and record each outcome.

        Returns how many were processed (sent, retried later or failed). Database errors
        propagate; the rows already claimed come back after the lease.
        """
        return await self._run_batch(stop=None)

    async def run_forever(self, stop: asyncio.Event, idle_interval: float = 1.0) -> None:
        """Dispatch until ``stop`` is set.

        Waits ``idle_interval`` seconds when nothing was due (or less, when ``stop`` is set
        meanwhile). Survives database outages: logs a warning and tries again, backing off up to
        ``MAX_OUTAGE_DELAY`` seconds. When ``stop`` is set, finishes the e-mail in flight,
        releases the rest of its batch and returns.
        """
        outage_delay = idle_interval
        while not stop.is_set():
            try:
                processed = await self._run_batch(stop)
            except Exception as error:  # the worker must outlive any failure; it retries later
                logger.warning(
                    "outbox dispatch failed (%s); retrying in %.1f s", _error_class(error), outage_delay
                )
                await _wait(stop, outage_delay)
                outage_delay = min(outage_delay * 2, max(MAX_OUTAGE_DELAY, idle_interval))
                continue
            outage_delay = idle_interval
            if processed == 0:
                await _wait(stop, idle_interval)

    async def queue_depth(self) -> dict[str, int]:
        """How many outbox rows are in each status (every status present, zero included)."""
        async with self._engine.connect() as connection:
            result = await connection.execute(select(_outbox.status, func.count()).group_by(_outbox.status))
            depth = dict.fromkeys(STATUSES, 0)
            depth.update({str(status): int(count) for status, count in result.all()})
            return depth

    # --- one batch ------------------------------------------------------------------------------

    async def _run_batch(self, stop: asyncio.Event | None) -> int:
        claimed, token = await self._claim()
        processed = 0
        for position, row in enumerate(claimed):
            if stop is not None and stop.is_set():
                await self._release(claimed[position:], token)
                break
            if self._now() >= token:
                # The lease ran out while earlier e-mails of the batch were sent: another worker
                # may have claimed the rest, so sending them could send them twice.
                logger.warning(
                    "outbox lease ran out before e-mail %d was sent; leaving the rest of the batch",
                    row.id,
                )
                break
            await self._deliver(row, token)
            processed += 1
        return processed

    async def _claim(self) -> tuple[list[_Claimed], datetime]:
        now = self._now()
        candidates = (
            select(_outbox.id)
            .where(self._lease.due(now))
            .order_by(_outbox.next_attempt_at, _outbox.id)
            .limit(self._batch_size)
        )
        async with self._engine.begin() as connection:
            token, rows = await self._lease.claim(
                connection,
                candidates,
                now,
                _outbox.id,
                _outbox.kind,
                _outbox.locale,
                _outbox.payload,
                _outbox.invitation_id,
                _outbox.attempts,
                _outbox.next_attempt_at,
            )
        claimed = [
            _Claimed(row.id, row.kind, row.locale, row.payload, row.invitation_id, row.attempts)
            for row in sorted(rows, key=lambda row: (row.next_attempt_at, row.id))
        ]
        return claimed, token

    async def _release(self, rows: Sequence[_Claimed], token: datetime) -> None:
        async with self._engine.begin() as connection:
            await self._lease.release(connection, [row.id for row in rows], token)

    # --- one e-mail -----------------------------------------------------------------------------

    async def _deliver(self, row: _Claimed, token: datetime) -> None:
        failure: _Failure | None = None
        try:
            rendered = self._render(row)
        except Exception as error:  # bad parameters: rendering again cannot succeed
            failure = _Failure(type(error).__name__, permanent=True)
        else:
            try:
                await self._sender.send(rendered)
            except EmailDeliveryError as error:
                failure = _Failure(_delivery_label(error), permanent=error.permanent)
            except Exception as error:  # an unexpected sender failure: try again later
                failure = _Failure(type(error).__name__, permanent=False)
        if failure is None:
            await self._record_sent(row, token)
        else:
            await self._record_failure(row, token, failure)

    def _render(self, row: _Claimed) -> RenderedEmail:
        if not isinstance(row.payload, Mapping):
            raise ValueError("the outbox row has no payload")
        return self._renderer.render(row.kind, row.locale, row.payload)

    async def _record_sent(self, row: _Claimed, token: datetime) -> None:
        now = self._now()
        attempts = row.attempts + 1
        async with self._engine.begin() as connection:
            recorded = await self._finish(
                connection,
                row,
                token,
                status=SENT,
                attempts=attempts,
                sent_at=now,
                payload=null(),
                claimed_until=None,
                last_error=None,
            )
            if recorded:
                await self._set_delivery_status(connection, row, SENT)
        if recorded:
            logger.info("outbox e-mail %d (%s) sent at attempt %d", row.id, row.kind, attempts)

    async def _record_failure(self, row: _Claimed, token: datetime, failure: _Failure) -> None:
        now = self._now()
        attempts = row.attempts + 1
        give_up = failure.permanent or attempts >= self._max_attempts
        delay = self._backoff(attempts)
        async with self._engine.begin() as connection:
            if give_up:
                recorded = await self._finish(
                    connection,
                    row,
                    token,
                    status=FAILED,
                    attempts=attempts,
                    payload=null(),
                    claimed_until=None,
                    last_error=failure.label,
                )
                if recorded:
                    await self._set_delivery_status(connection, row, FAILED)
            else:
                recorded = await self._finish(
                    connection,
                    row,
                    token,
                    attempts=attempts,
                    next_attempt_at=now + delay,
                    claimed_until=None,
                    last_error=failure.label,
                )
        if not recorded:
            return
        if give_up:
            logger.warning(
                "outbox e-mail %d (%s) failed %s after %d attempt(s): %s",
                row.id,
                row.kind,
                "permanently" if failure.permanent else "for good",
                attempts,
                failure.label,
            )
        else:
            logger.warning(
                "outbox e-mail %d (%s) attempt %d failed: %s; next attempt in %d s",
                row.id,
                row.kind,
                attempts,
                failure.label,
                delay.total_seconds(),
            )

    async def _finish(
        self, connection: AsyncConnection, row: _Claimed, token: datetime, **values: Any
    ) -> bool:
        if await self._lease.record(connection, row.id, token, **values):
            return True
        logger.warning(
            "outbox e-mail %d (%s) was claimed by another worker before its outcome was recorded",
            row.id,
            row.kind,
        )
        return False

    async def _set_delivery_status(self, connection: AsyncConnection, row: _Claimed, status: str) -> None:
        """The invitation shows the outcome of its latest e-mail only."""
        if row.invitation_id is None:
            return
        # Lock the invitation first: a resend that rotates its code (and queues a newer e-mail)
        # and commits meanwhile is then visible to the next statement (PostgreSQL, READ
        # COMMITTED). SQLite's BEGIN IMMEDIATE already serialises every writer.
        await connection.execute(
            select(invitations.c.id).where(invitations.c.id == row.invitation_id).with_for_update()
        )
        newer = outbox_emails.alias("newer")
        await connection.execute(
            update(invitations)
            .where(
                invitations.c.id == row.invitation_id,
                ~exists().where(newer.c.invitation_id == row.invitation_id, newer.c.id > row.id),
            )
            .values(delivery_status=status)
        )

    def _backoff(self, attempts: int) -> timedelta:
        """``base_backoff × 2^(attempts - 1)``, capped at ``max_backoff``, plus jitter."""
        exponent = min(max(attempts - 1, 0), 62)
        seconds = min(self._base_backoff.total_seconds() * 2**exponent, self._max_backoff.total_seconds())
        return timedelta(seconds=seconds * (1 + self._random.uniform(0, JITTER)))


def _delivery_label(error: EmailDeliveryError) -> str:
    name = type(error).__name__
    return f"{name} (SMTP {error.smtp_code})" if error.smtp_code is not None else name


def _error_class(error: BaseException) -> str:
    """The class of an error and of its cause, never its message (SQLAlchemy's messages quote
    the statement's parameters, which may hold an address or a link)."""
    name = type(error).__name__
    cause = getattr(error, "orig", None) or error.__cause__
    if cause is not None and type(cause) is not type(error):
        return f"{name} ({type(cause).__name__})"
    return name


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
