"""An endpoint's deliveries, newest first: what was sent, how often, with which answer."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasWebhookEndpoints, HasWebhookQueries, Reads, UnitOfWorkFactory
from domain.webhooks.access import require_webhook_manager
from domain.webhooks.endpoint_lookup import endpoint_of
from domain.webhooks.entities import DeliveryView


class ListWebhookDeliveriesPorts(Reads, MemberPorts, HasWebhookEndpoints, HasWebhookQueries, Protocol): ...


class ListWebhookDeliveries:
    def __init__(self, uow: UnitOfWorkFactory[ListWebhookDeliveriesPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, endpoint_id: int, page: PageRequest
    ) -> Page[DeliveryView]:
        async with self._uow() as uow:
            await require_webhook_manager(uow, caller, organization_id)
            endpoint = await endpoint_of(uow, organization_id, endpoint_id)
            return await uow.webhook_queries.list_deliveries(endpoint.id, page)
