"""Revoking a client, shared by its organization's administrators and support."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.api_clients.errors import ApiClientNotFound
from domain.audit.events import Actor, AuditEvent
from domain.unit_of_work import HasApiClients, HasAudit


class RevokePorts(HasApiClients, HasAudit, Protocol): ...


async def revoke(
    uow: RevokePorts, api_client_id: int, organization_id: int | None, actor: Actor, now: datetime
) -> None:
    """``revoked_at`` is set once (404 ``API_CLIENT_NOT_FOUND`` for a client already revoked, or not
    of ``organization_id`` when given); its tokens are refused from the next request, since each
    request reads the client."""
    client = await uow.api_clients.get(api_client_id)
    if client is None or (organization_id is not None and client.organization_id != organization_id):
        raise ApiClientNotFound()
    if not await uow.api_clients.revoke(client.id, now):
        raise ApiClientNotFound()
    await uow.audit.record(
        AuditEvent(
            type="API_CLIENT_REVOKED",
            actor=actor,
            occurred_at=now,
            organization_id=client.organization_id,
            target_type="api_client",
            target_id=client.id,
        )
    )
