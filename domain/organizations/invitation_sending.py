"""Creating or re-sending an invitation, and queueing its e-mail in the same transaction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.audit.events import Actor, AuditEvent
from domain.notifications.email import ACTIVATION, INVITATION
from domain.notifications.outbox import QueuedEmail
from domain.organizations.entities import Invitation, Organization, Role
from domain.organizations.errors import InvitationEmailsPerDayReached
from domain.organizations.ports import NewInvitation, SentEmails
from domain.secrets import hash_secret, new_secret
from domain.unit_of_work import HasAudit, HasInvitations, HasOutbox

KEEP_ROLE = object()
DAY = timedelta(days=1)


@dataclass(frozen=True)
class InvitationPolicy:
    ttl: timedelta
    emails_per_day: int  # every invitation e-mail of an organization, in any 24 hours
    emails_per_request: int  # addresses an administrator may paste at once


@dataclass(frozen=True)
class EmailAllowance:
    left: int
    retry_after: int  # seconds until the oldest e-mail counted leaves the 24 hours (when none is left)


def email_allowance(sent: SentEmails, emails_per_day: int, now: datetime) -> EmailAllowance:
    """What is left of the organization's daily invitation e-mails, and when one frees up."""
    frees_at = (sent.oldest_at or now) + DAY
    return EmailAllowance(
        left=max(0, emails_per_day - sent.count),
        retry_after=max(1, math.ceil((frees_at - now).total_seconds())),
    )


class InvitationSendingPorts(HasInvitations, HasOutbox, HasAudit, Protocol):
    """What sending an invitation writes: the invitation, its e-mail and the audit event."""


async def emails_left_today(
    uow: HasInvitations, organization_id: int, now: datetime, policy: InvitationPolicy
) -> EmailAllowance:
    """Every invitation e-mail counts: new, re-invitation, resend, activation (support's and the
    anonymous request's). Counted in the database under the organization's invitation lock,
    held until the transaction ends, so that two requests cannot both take the last one."""
    sent = await uow.invitations.lock_sent_emails(organization_id, now - DAY)
    return email_allowance(sent, policy.emails_per_day, now)


async def require_email_left_today(
    uow: HasInvitations, organization_id: int, now: datetime, policy: InvitationPolicy
) -> None:
    """For a single e-mail (a resend, support's activation): 429 ``RATE_LIMITED`` past the cap."""
    allowance = await emails_left_today(uow, organization_id, now, policy)
    if allowance.left == 0:
        raise InvitationEmailsPerDayReached(retry_after=allowance.retry_after)


async def send_invitation(
    uow: InvitationSendingPorts,
    organization: Organization,
    email: str,
    *,
    role: Role | object | None,
    locale: str,
    is_activation: bool,
    actor: Actor,
    now: datetime,
    policy: InvitationPolicy,
) -> Invitation:
    """One row per pending address: a pending invitation is rotated (new code, new expiry, the
    new role if one is given, ``role=KEEP_ROLE`` otherwise), else a new one is created. The code
    is only known here and in the e-mail; the database keeps its hash."""
    code = new_secret()
    expires_at = now + policy.ttl
    # A stored-pending row, even expired, is rotated: the partial unique index keeps one
    # pending row per address, and its old links then say "a newer e-mail was sent".
    pending = await uow.invitations.find_pending(organization.id, email)
    if pending is not None:
        new_role = pending.role if role is KEEP_ROLE else role
        assert new_role is None or isinstance(new_role, Role)
        invitation = await uow.invitations.rotate(
            pending, code_hash=hash_secret(code), role=new_role, now=now, expires_at=expires_at
        )
        event_type = "INVITATION_RESENT"
    else:
        new_role = Role.MEMBER if role is KEEP_ROLE else role
        assert new_role is None or isinstance(new_role, Role)
        invitation = await uow.invitations.add(
            NewInvitation(
                organization_id=organization.id,
                email=email,
                role=new_role,
                code_hash=hash_secret(code),
                locale=locale,
                is_activation=is_activation,
                inviter_id=actor.user_id,
                now=now,
                expires_at=expires_at,
            )
        )
        event_type = "INVITATION_CREATED"
    await uow.outbox.enqueue(
        QueuedEmail(
            kind=ACTIVATION if is_activation else INVITATION,
            locale=locale,
            to=email,
            params={
                "organization_name": organization.name,
                "invitation_id": invitation.id,
                "code": code,
                "expires_at": expires_at.isoformat(),
                "role": invitation.role.value if invitation.role else None,
            },
            invitation_id=invitation.id,
        )
    )
    await uow.audit.record(
        AuditEvent(
            type=event_type,
            actor=actor,
            occurred_at=now,
            organization_id=organization.id,
            target_type="invitation",
            target_id=invitation.id,
            details={
                "role": invitation.role.value if invitation.role else "AUTO",
                "activation": is_activation,
            },
        )
    )
    return invitation
