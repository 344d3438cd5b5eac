from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.api_clients.entities import ApiClient, NewApiClient, Scope
from infrastructure.db.tables import api_clients, organizations


def api_client_from_row(row: Any) -> ApiClient:
    return ApiClient(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        client_id=row.client_id,
        scopes=frozenset(Scope(value) for value in row.scopes or [] if value in Scope._value2member_map_),
        secret_hash=row.secret_hash,
        previous_secret_hash=row.previous_secret_hash,
        previous_secret_expires_at=row.previous_secret_expires_at,
        created_at=row.created_at,
        created_by_user_id=row.created_by_user_id,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlApiClientRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, client: NewApiClient) -> ApiClient:
        result = await self._db.execute(
            insert(api_clients)
            .values(
                organization_id=client.organization_id,
                name=client.name,
                client_id=client.client_id,
                scopes=sorted(scope.value for scope in client.scopes),
                secret_hash=client.secret_hash,
                created_at=client.created_at,
                created_by_user_id=client.created_by_user_id,
            )
            .returning(*api_clients.c)
        )
        return api_client_from_row(result.one())

    async def get(self, api_client_id: int, *, lock: bool = False) -> ApiClient | None:
        query = select(api_clients).where(api_clients.c.id == api_client_id)
        if lock:
            query = query.with_for_update()
        row = (await self._db.execute(query)).first()
        return api_client_from_row(row) if row else None

    async def find_by_client_id(self, client_id: str) -> ApiClient | None:
        row = (
            await self._db.execute(select(api_clients).where(api_clients.c.client_id == client_id))
        ).first()
        return api_client_from_row(row) if row else None

    async def count_live(self, organization_id: int) -> int:
        # The organization's row is the lock of its clients' count (SQLite: the write lock taken at
        # BEGIN IMMEDIATE serialises writers anyway).
        await self._db.execute(
            select(organizations.c.id).where(organizations.c.id == organization_id).with_for_update()
        )
        query = select(func.count()).where(
            api_clients.c.organization_id == organization_id, api_clients.c.revoked_at.is_(None)
        )
        return int((await self._db.execute(query)).scalar_one())

    async def rotate_secret(
        self,
        api_client_id: int,
        *,
        secret_hash: str,
        previous_secret_hash: str,
        previous_secret_expires_at: datetime,
    ) -> None:
        await self._db.execute(
            update(api_clients)
            .where(api_clients.c.id == api_client_id)
            .values(
                secret_hash=secret_hash,
                previous_secret_hash=previous_secret_hash,
                previous_secret_expires_at=previous_secret_expires_at,
            )
        )

    async def revoke(self, api_client_id: int, now: datetime) -> bool:
        result = await self._db.execute(
            update(api_clients)
            .where(api_clients.c.id == api_client_id, api_clients.c.revoked_at.is_(None))
            .values(revoked_at=now, previous_secret_hash=None, previous_secret_expires_at=None)
        )
        return bool(result.rowcount)

    async def mark_used(self, api_client_id: int, now: datetime, *, precision_seconds: int) -> None:
        await self._db.execute(
            update(api_clients)
            .where(
                api_clients.c.id == api_client_id,
                or_(
                    api_clients.c.last_used_at.is_(None),
                    api_clients.c.last_used_at < now - timedelta(seconds=precision_seconds),
                ),
            )
            .values(last_used_at=now)
        )
