"""What the lists of webhook endpoints and deliveries read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.pagination import Page, PageRequest
from domain.webhooks.entities import DeliveryView, WebhookDeliveryStatus, WebhookEndpoint
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.webhooks import ENDPOINT_COLUMNS, PENDING, endpoint_from_row
from infrastructure.db.tables import webhook_deliveries, webhook_endpoints, webhook_events

_delivery = webhook_deliveries.c


def _delivery_from_row(row: Any) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        event_id=row.event_id,
        event_type=row.type,
        status=WebhookDeliveryStatus(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
        created_at=row.created_at,
    )


class SqlWebhookQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def list_endpoints(self, organization_id: int, page: PageRequest) -> Page[WebhookEndpoint]:
        query = (
            select(*ENDPOINT_COLUMNS)
            .where(webhook_endpoints.c.organization_id == organization_id)
            .order_by(webhook_endpoints.c.id)
        )
        return await paginate(self._db, query, page, endpoint_from_row)

    async def list_deliveries(self, endpoint_id: int, page: PageRequest) -> Page[DeliveryView]:
        query = (
            select(
                _delivery.id,
                _delivery.event_id,
                webhook_events.c.type,
                _delivery.status,
                _delivery.attempts,
                _delivery.last_status_code,
                _delivery.last_attempt_at,
                _delivery.next_attempt_at,
                _delivery.created_at,
            )
            .join(webhook_events, webhook_events.c.id == _delivery.event_id)
            .where(_delivery.endpoint_id == endpoint_id)
            .order_by(_delivery.id.desc())
        )
        return await paginate(self._db, query, page, _delivery_from_row)
