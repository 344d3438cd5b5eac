"""An administrator changes an endpoint's events, or disables or enables it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.access import Caller, MemberPorts
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.unit_of_work import HasAudit, HasWebhookEndpoints, UnitOfWorkFactory, Writes
from domain.webhooks.access import require_webhook_manager
from domain.webhooks.endpoint_lookup import endpoint_of
from domain.webhooks.entities import EndpointStatus, WebhookEndpoint


@dataclass(frozen=True, slots=True)
class UpdateWebhookEndpointCommand:
    organization_id: int
    endpoint_id: int
    events: tuple[str, ...] | None = None
    status: EndpointStatus | None = None


class UpdateWebhookEndpointPorts(Writes, MemberPorts, HasWebhookEndpoints, HasAudit, Protocol): ...


class UpdateWebhookEndpoint:
    """Enabling an endpoint again forgets its failures (it gets three more days); its pending
    deliveries go out again. Nothing given, nothing changed (and nothing audited)."""

    def __init__(self, uow: UnitOfWorkFactory[UpdateWebhookEndpointPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, command: UpdateWebhookEndpointCommand) -> WebhookEndpoint:
        now = self._clock.now()
        async with self._uow() as uow:
            actor = await require_webhook_manager(uow, caller, command.organization_id)
            endpoint = await endpoint_of(uow, command.organization_id, command.endpoint_id)
            events = tuple(dict.fromkeys(command.events)) if command.events is not None else endpoint.events
            status = command.status or endpoint.status
            if (events, status) == (endpoint.events, endpoint.status):
                return endpoint
            updated = await uow.webhook_endpoints.update(endpoint.id, events=events, status=status, now=now)
            await uow.audit.record(
                AuditEvent(
                    type="WEBHOOK_ENDPOINT_UPDATED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=command.organization_id,
                    target_type="webhook_endpoint",
                    target_id=endpoint.id,
                    details={"events": list(updated.events), "status": updated.status.value},
                )
            )
            await uow.commit()
        return updated
