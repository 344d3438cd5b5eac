"""An administrator changes a member's role."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.notifications.webhooks import MEMBERSHIP_UPDATED, membership_event
from domain.organizations.entities import MemberView, Role
from domain.organizations.errors import CannotChangeOwnRole, LastAdmin, MembershipNotFound
from domain.unit_of_work import (
    HasAudit,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)


class ChangeMemberRolePorts(Writes, MemberPorts, HasAudit, HasWebhookEvents, Protocol): ...


class ChangeMemberRole:
    """Never one's own role (403 ``CANNOT_CHANGE_OWN_ROLE``, checked first), and never so that
    no active administrator is left (409 ``LAST_ADMIN``): the administrators' rows are locked
    before counting, so two administrators demoting each other at once leave exactly one."""

    def __init__(self, uow: UnitOfWorkFactory[ChangeMemberRolePorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, viewer: Viewer, organization_id: int, membership_id: int, role: Role
    ) -> MemberView:
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            target = await uow.memberships.get(membership_id)
            if target is None or target.organization_id != organization_id or not target.is_active:
                raise MembershipNotFound()
            if target.user_id == viewer.user.id:
                raise CannotChangeOwnRole()
            admins = await uow.memberships.lock_active_admins(organization_id)
            if viewer.user.id not in admins:
                # Demoted by someone else while this request waited for the lock.
                await require_member(uow, viewer, organization_id, admin=True)
            if target.role is role:
                return await self._view(uow, target.id)
            if role is Role.MEMBER and target.user_id in admins and len(admins) <= 1:
                raise LastAdmin()
            await uow.memberships.update(target.id, role=role, enabled=True, now=now)
            await uow.audit.record(
                AuditEvent(
                    type="MEMBERSHIP_ROLE_CHANGED",
                    actor=user_actor(viewer),
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="membership",
                    target_id=target.id,
                    details={"from": target.role.value, "to": role.value},
                )
            )
            await uow.webhook_events.record(
                membership_event(
                    MEMBERSHIP_UPDATED, organization_id, target.id, target.user_id, role.value, now
                )
            )
            view = await self._view(uow, target.id)
            await uow.commit()
        return view

    @staticmethod
    async def _view(uow: ChangeMemberRolePorts, membership_id: int) -> MemberView:
        view = await uow.memberships.get_view(membership_id)
        assert view is not None
        return view
