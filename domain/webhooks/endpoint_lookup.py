"""An endpoint of the organization in the path, or 404: shared by the use cases on one endpoint."""

from __future__ import annotations

from domain.unit_of_work import HasWebhookEndpoints
from domain.webhooks.entities import WebhookEndpoint
from domain.webhooks.errors import WebhookEndpointNotFound


async def endpoint_of(uow: HasWebhookEndpoints, organization_id: int, endpoint_id: int) -> WebhookEndpoint:
    """``WEBHOOK_ENDPOINT_NOT_FOUND`` for an unknown id and for another organization's."""
    endpoint = await uow.webhook_endpoints.get(endpoint_id)
    if endpoint is None or endpoint.organization_id != organization_id:
        raise WebhookEndpointNotFound()
    return endpoint
