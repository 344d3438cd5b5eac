from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.audit.events import Actor, AuditEvent, StoredAuditEvent
from infrastructure.db.tables import audit_events


def event_from_row(row: Any) -> StoredAuditEvent:
    return StoredAuditEvent(
        id=row.id,
        event=AuditEvent(
            type=row.type,
            actor=Actor(row.actor_user_id, row.actor_label, row.actor_api_client_id),
            occurred_at=row.occurred_at,
            organization_id=row.organization_id,
            target_type=row.target_type,
            target_id=row.target_id,
            details=dict(row.details or {}),
        ),
    )


_RECORD = insert(audit_events)
"""Built once: most writes record an event, and building the statement cost as much as sending it."""


class SqlAuditLog:
    """Append-only: this repository has no update and no delete."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def record(self, *events: AuditEvent) -> None:
        rows = [
            {
                "occurred_at": event.occurred_at,
                "actor_user_id": event.actor.user_id,
                "actor_label": event.actor.label,
                "actor_api_client_id": event.actor.api_client_id,
                "organization_id": event.organization_id,
                "type": event.type,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "details": event.details,
            }
            for event in events
        ]
        if rows:
            await self._db.execute(_RECORD, rows[0] if len(rows) == 1 else rows)
