"""An administrator removes a member, or a member leaves."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.notifications.webhooks import MEMBERSHIP_REMOVED, membership_event
from domain.organizations.entities import Role
from domain.organizations.errors import LastAdmin, MembershipNotFound, RoleNotAllowed
from domain.unit_of_work import (
    HasAudit,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)


class RemoveMemberPorts(Writes, MemberPorts, HasAudit, HasWebhookEvents, Protocol): ...


class RemoveMember:
    """The membership is disabled, not deleted (history kept, no access). An administrator may
    leave when another administrator remains (409 ``LAST_ADMIN`` otherwise, with the rows locked)."""

    def __init__(self, uow: UnitOfWorkFactory[RemoveMemberPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, organization_id: int, membership_id: int) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            access = await require_member(uow, viewer, organization_id)
            target = await uow.memberships.get(membership_id)
            if target is None or target.organization_id != organization_id or not target.is_active:
                raise MembershipNotFound()
            leaving = target.user_id == viewer.user.id
            if not leaving and access.role is not Role.ADMIN:
                raise RoleNotAllowed()
            admins = await uow.memberships.lock_active_admins(organization_id)
            if not leaving and viewer.user.id not in admins:
                raise RoleNotAllowed()
            if target.user_id in admins and len(admins) <= 1:
                raise LastAdmin()
            await uow.memberships.update(target.id, role=target.role, enabled=False, now=now)
            await uow.audit.record(
                AuditEvent(
                    type="MEMBERSHIP_LEFT" if leaving else "MEMBERSHIP_REMOVED",
                    actor=user_actor(viewer),
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="membership",
                    target_id=target.id,
                    details={"role": target.role.value},
                )
            )
            await uow.webhook_events.record(
                membership_event(
                    MEMBERSHIP_REMOVED, organization_id, target.id, target.user_id, target.role.value, now
                )
            )
            await uow.commit()
