"""Webhook endpoints, and the event log that fans an event out to the endpoints subscribed to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.notifications.webhooks import WebhookEvent
from domain.webhooks.entities import EndpointStatus, NewWebhookEndpoint, WebhookEndpoint
from infrastructure.db.tables import organizations, webhook_deliveries, webhook_endpoints, webhook_events

PENDING: Final = "PENDING"
DELIVERED: Final = "DELIVERED"
FAILED: Final = "FAILED"

_endpoint = webhook_endpoints.c

ENDPOINT_COLUMNS: Final = (
    _endpoint.id,
    _endpoint.organization_id,
    _endpoint.url,
    _endpoint.events,
    _endpoint.status,
    _endpoint.description,
    _endpoint.failing_since,
    _endpoint.created_at,
    _endpoint.updated_at,
)


def endpoint_from_row(row: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        organization_id=row.organization_id,
        url=row.url,
        events=tuple(row.events),
        status=EndpointStatus(row.status),
        description=row.description,
        failing_since=row.failing_since,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlWebhookEndpointRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, endpoint: NewWebhookEndpoint) -> WebhookEndpoint:
        row = (
            await self._db.execute(
                insert(webhook_endpoints)
                .values(
                    organization_id=endpoint.organization_id,
                    url=endpoint.url,
                    events=list(endpoint.events),
                    status=EndpointStatus.ENABLED.value,
                    encrypted_secret=endpoint.encrypted_secret,
                    description=endpoint.description,
                    failing_since=None,
                    created_at=endpoint.created_at,
                    updated_at=endpoint.created_at,
                )
                .returning(*ENDPOINT_COLUMNS)
            )
        ).one()
        return endpoint_from_row(row)

    async def get(self, endpoint_id: int) -> WebhookEndpoint | None:
        row = (
            await self._db.execute(select(*ENDPOINT_COLUMNS).where(_endpoint.id == endpoint_id))
        ).one_or_none()
        return endpoint_from_row(row) if row is not None else None

    async def lock_count(self, organization_id: int) -> int:
        # The organization's row is the lock: it exists even when no endpoint does yet.
        await self._db.execute(
            select(organizations.c.id).where(organizations.c.id == organization_id).with_for_update()
        )
        count = await self._db.execute(
            select(func.count())
            .select_from(webhook_endpoints)
            .where(_endpoint.organization_id == organization_id)
        )
        return int(count.scalar_one())

    async def update(
        self, endpoint_id: int, *, events: tuple[str, ...], status: EndpointStatus, now: datetime
    ) -> WebhookEndpoint:
        values: dict[str, Any] = {"events": list(events), "status": status.value, "updated_at": now}
        if status is EndpointStatus.ENABLED:
            values["failing_since"] = None
        row = (
            await self._db.execute(
                update(webhook_endpoints)
                .where(_endpoint.id == endpoint_id)
                .values(**values)
                .returning(*ENDPOINT_COLUMNS)
            )
        ).one()
        return endpoint_from_row(row)

    async def delete(self, endpoint_id: int) -> None:
        await self._db.execute(
            delete(webhook_deliveries).where(webhook_deliveries.c.endpoint_id == endpoint_id)
        )
        await self._db.execute(delete(webhook_endpoints).where(_endpoint.id == endpoint_id))


# Built once: every event recorded reads them (building a statement cost as much as sending it).
_ENDPOINTS = select(_endpoint.id, _endpoint.events).where(
    _endpoint.organization_id == bindparam("organization_id")
)
_THE_ENDPOINT = _ENDPOINTS.where(_endpoint.id == bindparam("endpoint_id"))
_ENABLED_ENDPOINTS = _ENDPOINTS.where(_endpoint.status == EndpointStatus.ENABLED.value).order_by(_endpoint.id)


class SqlWebhookEventLog:
    """The event and its deliveries, in the caller's transaction. The events stored are those some
    endpoint is to receive: an organization without webhooks stores nothing."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def record(self, event: WebhookEvent) -> int | None:
        if event.endpoint_id is not None:
            parameters = {"organization_id": event.organization_id, "endpoint_id": event.endpoint_id}
            rows = (await self._db.execute(_THE_ENDPOINT, parameters)).all()
        else:
            rows = (
                await self._db.execute(_ENABLED_ENDPOINTS, {"organization_id": event.organization_id})
            ).all()
        targets = [
            row.id for row in rows if event.endpoint_id is not None or event.type in (row.events or ())
        ]
        if not targets:
            return None
        event_id = (
            await self._db.execute(
                insert(webhook_events)
                .values(
                    organization_id=event.organization_id,
                    type=event.type,
                    payload=dict(event.data),
                    created_at=event.occurred_at,
                )
                .returning(webhook_events.c.id)
            )
        ).scalar_one()
        await self._db.execute(
            insert(webhook_deliveries),
            [
                {
                    "endpoint_id": endpoint_id,
                    "event_id": event_id,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": event.occurred_at,
                    "created_at": event.occurred_at,
                }
                for endpoint_id in targets
            ],
        )
        return int(event_id)
