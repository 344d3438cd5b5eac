"""What the lists of API clients read: nothing a rule decides on."""

from __future__ import annotations

from typing import Protocol

from domain.api_clients.entities import ApiClient
from domain.pagination import Page, PageRequest


class ApiClientQueries(Protocol):
    async def of_organization(self, organization_id: int) -> list[ApiClient]:
        """The organization's live clients, oldest first (at most ``MAX_LIVE_CLIENTS``)."""
        ...

    async def search(self, organization_id: int | None, page: PageRequest) -> Page[ApiClient]:
        """Every client, revoked ones included, newest first; of one organization when given."""
        ...
