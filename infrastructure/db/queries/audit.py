"""What support's search of the audit log reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.audit.events import AuditFilter, StoredAuditEvent
from domain.pagination import Page, PageRequest
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.audit import event_from_row
from infrastructure.db.tables import audit_events


class SqlAuditQueries:
    """What support's search of the audit log reads."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def search(self, criteria: AuditFilter, page: PageRequest) -> Page[StoredAuditEvent]:
        query = select(audit_events).order_by(audit_events.c.occurred_at.desc(), audit_events.c.id.desc())
        if criteria.organization_id is not None:
            query = query.where(audit_events.c.organization_id == criteria.organization_id)
        if criteria.actor_id is not None:
            query = query.where(audit_events.c.actor_user_id == criteria.actor_id)
        if criteria.type:
            query = query.where(audit_events.c.type == criteria.type)
        return await paginate(self._db, query, page, event_from_row)
