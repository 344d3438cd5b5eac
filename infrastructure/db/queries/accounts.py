"""What support's search of accounts reads."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.entities import User
from domain.pagination import Page, PageRequest
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.users import user_from_row
from infrastructure.db.tables import users
from infrastructure.db.text_search import contains


class SqlAccountQueries:
    """What support's search of accounts reads."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def search(self, words: tuple[str, ...], page: PageRequest) -> Page[User]:
        searchable = func.lower(
            func.coalesce(users.c.email, "")
            + " "
            + func.coalesce(users.c.username, "")
            + " "
            + users.c.first_name
            + " "
            + users.c.last_name
        )
        query = select(users).order_by(
            func.lower(users.c.last_name), func.lower(users.c.first_name), users.c.id
        )
        for word in words:
            query = query.where(contains(searchable, word.lower()))
        return await paginate(self._db, query, page, user_from_row)
