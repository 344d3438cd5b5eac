"""What the lists of API clients read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.api_clients.entities import ApiClient
from domain.pagination import Page, PageRequest
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.api_clients import api_client_from_row
from infrastructure.db.tables import api_clients


class SqlApiClientQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def of_organization(self, organization_id: int) -> list[ApiClient]:
        query = (
            select(api_clients)
            .where(api_clients.c.organization_id == organization_id, api_clients.c.revoked_at.is_(None))
            .order_by(api_clients.c.created_at, api_clients.c.id)
        )
        return [api_client_from_row(row) for row in (await self._db.execute(query)).all()]

    async def search(self, organization_id: int | None, page: PageRequest) -> Page[ApiClient]:
        query = select(api_clients).order_by(api_clients.c.created_at.desc(), api_clients.c.id.desc())
        if organization_id is not None:
            query = query.where(api_clients.c.organization_id == organization_id)
        return await paginate(self._db, query, page, api_client_from_row)
