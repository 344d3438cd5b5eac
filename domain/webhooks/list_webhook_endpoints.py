"""The organization's webhook endpoints, never their secrets."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasWebhookQueries, Reads, UnitOfWorkFactory
from domain.webhooks.access import require_webhook_manager
from domain.webhooks.entities import WebhookEndpoint


class ListWebhookEndpointsPorts(Reads, MemberPorts, HasWebhookQueries, Protocol): ...


class ListWebhookEndpoints:
    def __init__(self, uow: UnitOfWorkFactory[ListWebhookEndpointsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, page: PageRequest
    ) -> Page[WebhookEndpoint]:
        async with self._uow() as uow:
            await require_webhook_manager(uow, caller, organization_id)
            return await uow.webhook_queries.list_endpoints(organization_id, page)
