"""An administrator sends a ``webhook.test`` event to one endpoint, to check the receiver."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts
from domain.clock import Clock
from domain.notifications.webhooks import webhook_test
from domain.unit_of_work import HasWebhookEndpoints, HasWebhookEvents, UnitOfWorkFactory, Writes
from domain.webhooks.access import require_webhook_manager
from domain.webhooks.endpoint_lookup import endpoint_of
from domain.webhooks.entities import EndpointStatus
from domain.webhooks.errors import WebhookEndpointDisabled


class SendTestWebhookPorts(Writes, MemberPorts, HasWebhookEndpoints, HasWebhookEvents, Protocol): ...


class SendTestWebhook:
    """Queued like any event (202): the delivery shows in the endpoint's deliveries. A disabled
    endpoint receives nothing (409 ``WEBHOOK_ENDPOINT_DISABLED``): enable it first."""

    def __init__(self, uow: UnitOfWorkFactory[SendTestWebhookPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, organization_id: int, endpoint_id: int) -> int:
        """Returns the event's id."""
        now = self._clock.now()
        async with self._uow() as uow:
            await require_webhook_manager(uow, caller, organization_id)
            endpoint = await endpoint_of(uow, organization_id, endpoint_id)
            if endpoint.status is not EndpointStatus.ENABLED:
                raise WebhookEndpointDisabled()
            event_id = await uow.webhook_events.record(webhook_test(organization_id, endpoint.id, now))
            assert event_id is not None
            await uow.commit()
        return event_id
