from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.notifications.outbox import QueuedEmail
from infrastructure.db.tables import outbox_emails

QUEUED = "QUEUED"
SENT = "SENT"
FAILED = "FAILED"


class SqlEmailOutbox:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def enqueue(self, email: QueuedEmail) -> None:
        now = datetime.now(UTC)
        await self._db.execute(
            insert(outbox_emails).values(
                kind=email.kind,
                locale=email.locale,
                payload={"to": email.to, **email.params},
                invitation_id=email.invitation_id,
                status=QUEUED,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
