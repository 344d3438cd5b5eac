"""An administrator re-sends a pending invitation."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.clock import Clock
from domain.organizations.entities import InvitationView
from domain.organizations.errors import (
    InvitationEmailsPerDayReached,
    InvitationNotFound,
    InvitationNotPending,
    OrganizationArchived,
    ResendTooSoon,
)
from domain.organizations.invitation_sending import (
    KEEP_ROLE,
    InvitationPolicy,
    InvitationSendingPorts,
    emails_left_today,
    send_invitation,
)
from domain.unit_of_work import UnitOfWorkFactory, Writes

RESEND_INTERVAL = timedelta(minutes=1)


class ResendInvitationPorts(Writes, MemberPorts, InvitationSendingPorts, Protocol): ...


class ResendInvitation:
    """Pending invitations only (409 ``INVITATION_NOT_PENDING``), at most once a minute (429
    ``TOO_MANY_REQUESTS``), within the organization's daily invitation e-mails (429
    ``RATE_LIMITED``). The code rotates: the old link answers 410 ``INVITATION_CODE_REPLACED``."""

    def __init__(
        self, uow: UnitOfWorkFactory[ResendInvitationPorts], clock: Clock, policy: InvitationPolicy
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def __call__(self, viewer: Viewer, organization_id: int, invitation_id: int) -> InvitationView:
        now = self._clock.now()
        async with self._uow() as uow:
            access = await require_member(uow, viewer, organization_id, admin=True)
            # The lock first: two resends at once are served one after the other, the second
            # then reading the first one's send time.
            allowance = await emails_left_today(uow, organization_id, now, self._policy)
            invitation = await uow.invitations.get(invitation_id)
            if invitation is None or invitation.organization_id != organization_id:
                raise InvitationNotFound()
            if access.organization.archived_at is not None:
                raise OrganizationArchived()
            if not invitation.is_pending_at(now):
                raise InvitationNotPending(meta={"status": invitation.status_at(now).value})
            wait = invitation.last_sent_at + RESEND_INTERVAL - now
            if wait > timedelta(0):
                raise ResendTooSoon(retry_after=max(1, int(wait.total_seconds() + 0.999)))
            if allowance.left == 0:
                raise InvitationEmailsPerDayReached(retry_after=allowance.retry_after)
            resent = await send_invitation(
                uow,
                access.organization,
                invitation.email,
                role=KEEP_ROLE,
                locale=invitation.locale,
                is_activation=invitation.is_activation,
                actor=user_actor(viewer),
                now=now,
                policy=self._policy,
            )
            await uow.commit()
        return InvitationView.at(resent, now)
