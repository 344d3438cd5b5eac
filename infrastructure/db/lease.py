"""Claiming rows of a work queue with a lease: ``outbox_emails`` (e-mails) and ``webhook_deliveries``.

A row is due when its status holds the queue's pending value, ``next_attempt_at <= now`` and it is
not leased (``claimed_until`` NULL or past). A worker claims a batch in a short transaction that
sets ``claimed_until = now + lease``, commits, and only then talks to the outside world (SMTP, a
webhook receiver): no database transaction or lock is held while sending. On PostgreSQL the batch
is picked with ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent workers take disjoint batches
without waiting for each other; on SQLite (no SKIP LOCKED) the engine opens every transaction with
``BEGIN IMMEDIATE``, which serialises claims between processes, and the claim is a conditional
``UPDATE … WHERE id IN (…) AND (claimed_until IS NULL OR claimed_until < now)``. The lease's end,
``claimed_until``, is the claim's token: the outcome is recorded, or the row given back, only
``WHERE claimed_until = <token>``, so a worker that outlived its lease never overwrites the claim
of the worker that took the row over. A worker must also not start sending a row once ``now >=
token``: another worker may have claimed it meanwhile, and it would be sent twice.

A worker that dies after claiming leaves its rows leased; they are claimed again once the lease
has run out, which is why both queues deliver at least once (each dispatcher says when a row may
then be sent twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, ColumnElement, Row, Select, Table, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True)
class Lease:
    """The claim protocol on one queue ``table`` (with ``id``, ``next_attempt_at`` and
    ``claimed_until`` columns), whose rows wait while ``status`` is ``pending``.

    Every method runs in the caller's transaction, so that a claim or an outcome can be written
    with what else belongs to it.
    """

    table: Table
    status: Column[Any]
    pending: str
    duration: timedelta

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError("lease must be positive")

    def due(self, now: datetime) -> ColumnElement[bool]:
        row = self.table.c
        return and_(
            self.status == self.pending,
            row.next_attempt_at <= now,
            or_(row.claimed_until.is_(None), row.claimed_until < now),
        )

    async def claim(
        self,
        connection: AsyncConnection,
        candidates: Select[Any],
        now: datetime,
        *returning: ColumnElement[Any],
        windowed: bool = False,
    ) -> tuple[datetime, Sequence[Row[Any]]]:
        """Lease the rows ``candidates`` picks (their ids, filtered on ``due(now)``, in claim order,
        limited to a batch); returns the token and, for each row this call claimed, ``returning``.

        ``windowed``: ``candidates`` ranks with a window function, with which PostgreSQL refuses
        ``FOR UPDATE``; the rows it names are then locked by a second ``SELECT``, which skips the
        ones another worker is claiming, so the batch may come out short instead of taking others.
        """
        token = now + self.duration
        row = self.table.c
        if connection.dialect.name == "postgresql":
            if windowed:
                candidates = select(row.id).where(row.id.in_(candidates))
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list((await connection.execute(candidates)).scalars())
        if not ids:
            return token, []
        # Conditional: on SQLite the write lock of BEGIN IMMEDIATE makes it exclusive; on
        # PostgreSQL the rows are already locked and the condition is a second safeguard.
        result = await connection.execute(
            update(self.table)
            .where(row.id.in_(ids), self.due(now))
            .values(claimed_until=token)
            .returning(*returning)
        )
        return token, result.all()

    async def release(self, connection: AsyncConnection, ids: Sequence[int], token: datetime) -> None:
        """Give back claimed rows that will not be sent now, for any worker to take at once."""
        row = self.table.c
        await connection.execute(
            update(self.table)
            .where(row.id.in_(ids), self.status == self.pending, row.claimed_until == token)
            .values(claimed_until=None)
        )

    async def record(self, connection: AsyncConnection, row_id: int, token: datetime, **values: Any) -> bool:
        """Record an outcome, only if this worker still holds the claim; False when it lost it."""
        row = self.table.c
        result = await connection.execute(
            update(self.table)
            .where(row.id == row_id, self.status == self.pending, row.claimed_until == token)
            .values(**values)
        )
        return result.rowcount == 1
