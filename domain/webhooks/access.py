"""Who may manage an organization's webhooks: the one check every webhook use case makes."""

from __future__ import annotations

from domain.access import Caller, MemberPorts, actor_of, require_member
from domain.api_clients.entities import Scope
from domain.audit.events import Actor


async def require_webhook_manager(uow: MemberPorts, caller: Caller, organization_id: int) -> Actor:
    """An administrator of the organization, or one of its API clients holding ``webhooks:manage``
    (404 ``ORGANIZATION_NOT_FOUND`` for a non-member or another organization's client, 403
    ``FORBIDDEN`` for a member, 403 ``INSUFFICIENT_SCOPE`` for a client without the scope); returns
    the actor the audit log records. The single place where the webhook use cases decide who may
    call them."""
    await require_member(uow, caller, organization_id, admin=True, scope=Scope.WEBHOOKS_MANAGE)
    return actor_of(caller)
