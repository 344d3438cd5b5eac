"""Who may manage an organization's webhooks: the one check every webhook use case makes."""

from __future__ import annotations

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import Actor


async def require_webhook_manager(uow: MemberPorts, viewer: Viewer, organization_id: int) -> Actor:
    """An administrator of the organization (404 ``ORGANIZATION_NOT_FOUND`` for a non-member, 403
    ``FORBIDDEN`` for a member); returns the actor the audit log records. The single place where
    the webhook use cases decide who may call them."""
    await require_member(uow, viewer, organization_id, admin=True)
    return user_actor(viewer)
