"""An administrator cancels a pending invitation."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.organizations.errors import InvitationNotCancellable, InvitationNotFound
from domain.unit_of_work import HasAudit, HasInvitations, UnitOfWorkFactory, Writes


class CancelInvitationPorts(Writes, MemberPorts, HasInvitations, HasAudit, Protocol): ...


class CancelInvitation:
    """Only a pending one (409 ``INVITATION_NOT_CANCELLABLE``); its link then answers
    ``INVITATION_CANCELLED``. A conditional update, so a concurrent acceptance wins or loses cleanly."""

    def __init__(self, uow: UnitOfWorkFactory[CancelInvitationPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, organization_id: int, invitation_id: int) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            invitation = await uow.invitations.get(invitation_id)
            if invitation is None or invitation.organization_id != organization_id:
                raise InvitationNotFound()
            if not invitation.is_pending_at(now) or not await uow.invitations.cancel(invitation_id, now):
                raise InvitationNotCancellable(meta={"status": invitation.status_at(now).value})
            await uow.audit.record(
                AuditEvent(
                    type="INVITATION_CANCELLED",
                    actor=user_actor(viewer),
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="invitation",
                    target_id=invitation_id,
                )
            )
            await uow.commit()
