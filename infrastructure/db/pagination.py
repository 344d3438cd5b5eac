from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.pagination import Page, PageRequest

T = TypeVar("T")


async def paginate(
    db: AsyncConnection, query: Select[Any], page: PageRequest, to_domain: Callable[[Any], T]
) -> Page[T]:
    """One page of a query (already ordered), with the total count of the unpaged query."""
    total = (await db.execute(select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    rows = (await db.execute(query.limit(page.page_size).offset(page.offset))).all()
    return Page(items=[to_domain(row) for row in rows], total=int(total), request=page)
