"""An administrator deletes an endpoint: its pending deliveries are dropped with it."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.unit_of_work import HasAudit, HasWebhookEndpoints, UnitOfWorkFactory, Writes
from domain.webhooks.access import require_webhook_manager
from domain.webhooks.endpoint_lookup import endpoint_of


class DeleteWebhookEndpointPorts(Writes, MemberPorts, HasWebhookEndpoints, HasAudit, Protocol): ...


class DeleteWebhookEndpoint:
    def __init__(self, uow: UnitOfWorkFactory[DeleteWebhookEndpointPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, organization_id: int, endpoint_id: int) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            actor = await require_webhook_manager(uow, caller, organization_id)
            endpoint = await endpoint_of(uow, organization_id, endpoint_id)
            await uow.webhook_endpoints.delete(endpoint.id)
            await uow.audit.record(
                AuditEvent(
                    type="WEBHOOK_ENDPOINT_DELETED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="webhook_endpoint",
                    target_id=endpoint.id,
                    details={"events": list(endpoint.events)},
                )
            )
            await uow.commit()
