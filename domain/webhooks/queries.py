"""What the webhook lists read (docs/architecture.md, rule 5)."""

from __future__ import annotations

from typing import Protocol

from domain.pagination import Page, PageRequest
from domain.webhooks.entities import DeliveryView, WebhookEndpoint


class WebhookQueries(Protocol):
    async def list_endpoints(self, organization_id: int, page: PageRequest) -> Page[WebhookEndpoint]:
        """Oldest first."""
        ...

    async def list_deliveries(self, endpoint_id: int, page: PageRequest) -> Page[DeliveryView]:
        """Newest first; a delivered or failed one has no ``next_attempt_at``."""
        ...
