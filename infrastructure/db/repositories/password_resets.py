from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from infrastructure.db.tables import password_reset_tokens


class SqlPasswordResetRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, token_hash: str, user_id: int, now: datetime, expires_at: datetime) -> None:
        await self._db.execute(
            insert(password_reset_tokens).values(
                token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at
            )
        )

    async def consume(self, token_hash: str, now: datetime) -> int | None:
        """One conditional update: of two uses at once, one gets the user, the other None."""
        row = (
            await self._db.execute(
                update(password_reset_tokens)
                .where(
                    password_reset_tokens.c.token_hash == token_hash,
                    password_reset_tokens.c.used_at.is_(None),
                    password_reset_tokens.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(password_reset_tokens.c.user_id)
            )
        ).one_or_none()
        return int(row.user_id) if row else None
