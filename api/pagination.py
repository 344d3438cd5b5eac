from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from domain.pagination import MAX_PAGE_SIZE, Page, PageRequest

T = TypeVar("T")
D = TypeVar("D")


def page_request(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (max 200)")] = 50,
) -> PageRequest:
    return PageRequest(page=page, page_size=page_size)


Paging = Annotated[PageRequest, Depends(page_request)]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Page[D], to_out: Callable[[D], T]) -> PageOut[T]:
        return cls(
            items=[to_out(item) for item in page.items],
            total=page.total,
            page=page.request.page,
            page_size=page.request.page_size,
        )
