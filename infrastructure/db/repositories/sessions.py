from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.entities import StoredRefreshToken, User
from infrastructure.db.direct_read import ByName, DirectRead
from infrastructure.db.repositories.users import user_from_row
from infrastructure.db.tables import auth_sessions, refresh_tokens, users

# Built once: on every authenticated request and every login, building them cost about as much CPU
# as sending them (SQLAlchemy caches the compiled form, not the statement object).
_OPEN = insert(auth_sessions)
_ADD_REFRESH_TOKEN = insert(refresh_tokens)
_OPENED = (
    insert(auth_sessions)
    .values(id=bindparam("session_id"), user_id=bindparam("user_id"), created_at=bindparam("created_at"))
    .returning(auth_sessions.c.id)
    .cte("opened")
)
_OPEN_WITH_REFRESH_TOKEN = insert(refresh_tokens).from_select(
    ["session_id", "token_hash", "created_at", "expires_at"],
    select(
        _OPENED.c.id,
        bindparam("token_hash", type_=refresh_tokens.c.token_hash.type),
        bindparam("created_at", type_=refresh_tokens.c.created_at.type),
        bindparam("expires_at", type_=refresh_tokens.c.expires_at.type),
    ),
)
"""PostgreSQL: the session and its first refresh token in one statement (the token's foreign key is
checked at the statement's end, once the session is in)."""
_ACCOUNT_OF = DirectRead(
    select(users)
    .join(auth_sessions, auth_sessions.c.user_id == users.c.id)
    .where(
        auth_sessions.c.id == bindparam("session_id"),
        auth_sessions.c.user_id == bindparam("user_id"),
        auth_sessions.c.revoked_at.is_(None),
    )
)
_USER_COLUMNS = {column.name: position for position, column in enumerate(users.c)}


class SqlSessionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def open(
        self,
        session_id: str,
        user_id: int,
        now: datetime,
        refresh_token_hash: str,
        refresh_expires_at: datetime,
    ) -> None:
        token = {"token_hash": refresh_token_hash, "created_at": now, "expires_at": refresh_expires_at}
        if self._db.dialect.name == "postgresql":
            await self._db.execute(
                _OPEN_WITH_REFRESH_TOKEN, {"session_id": session_id, "user_id": user_id, **token}
            )
            return
        await self._db.execute(_OPEN, {"id": session_id, "user_id": user_id, "created_at": now})
        await self._db.execute(_ADD_REFRESH_TOKEN, {"session_id": session_id, **token})

    async def account_of(self, session_id: str, user_id: int) -> User | None:
        # One read for the session and its account, straight to asyncpg when it runs outside a
        # transaction: every authenticated request makes it.
        rows = await _ACCOUNT_OF.rows(self._db, {"session_id": session_id, "user_id": user_id})
        return user_from_row(ByName(rows[0], _USER_COLUMNS)) if rows else None

    async def add_refresh_token(
        self, session_id: str, token_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        await self._db.execute(
            _ADD_REFRESH_TOKEN,
            {"session_id": session_id, "token_hash": token_hash, "created_at": now, "expires_at": expires_at},
        )

    async def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        query = (
            select(
                refresh_tokens.c.id,
                refresh_tokens.c.session_id,
                refresh_tokens.c.expires_at,
                refresh_tokens.c.used_at,
                auth_sessions.c.user_id,
                auth_sessions.c.revoked_at,
            )
            .join(auth_sessions, auth_sessions.c.id == refresh_tokens.c.session_id)
            .where(refresh_tokens.c.token_hash == token_hash)
        )
        row = (await self._db.execute(query)).one_or_none()
        if row is None:
            return None
        return StoredRefreshToken(
            id=row.id,
            session_id=row.session_id,
            user_id=row.user_id,
            expires_at=row.expires_at,
            used_at=row.used_at,
            session_revoked_at=row.revoked_at,
        )

    async def mark_used(self, token_id: int, now: datetime) -> bool:
        result = await self._db.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.id == token_id, refresh_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        return result.rowcount == 1

    async def revoke(self, session_id: str, now: datetime) -> None:
        await self._db.execute(
            update(auth_sessions)
            .where(auth_sessions.c.id == session_id, auth_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all_of_user(
        self, user_id: int, now: datetime, *, except_session: str | None = None
    ) -> None:
        query = update(auth_sessions).where(
            auth_sessions.c.user_id == user_id, auth_sessions.c.revoked_at.is_(None)
        )
        if except_session is not None:
            query = query.where(auth_sessions.c.id != except_session)
        await self._db.execute(query.values(revoked_at=now))
