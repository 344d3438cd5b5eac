"""A new head teacher asks, by UAI, for the activation invitation of their school."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.organizations.email_addresses import normalise_email
from domain.organizations.entities import Role
from domain.organizations.errors import OrganizationArchived, OrganizationNotFound, OrganizationWithoutEmail
from domain.organizations.invitation_sending import (
    EmailAllowance,
    InvitationPolicy,
    InvitationSendingPorts,
    emails_left_today,
    send_invitation,
)
from domain.rate_limits import Limit, RateLimiter, acquire_all
from domain.unit_of_work import HasOrganizations, UnitOfWorkFactory, Writes

QUIET_PERIOD = timedelta(hours=24)
SENT_RECENTLY = "sent_less_than_24_hours_ago"
DAILY_LIMIT_REACHED = "invitations_per_day_reached"


@dataclass(frozen=True)
class RequestScoActivationCommand:
    uai: str
    client_address: str
    locale: str = "fr"


def reason_to_send_nothing(
    last_sent_to_official: datetime | None, allowance: EmailAllowance, now: datetime
) -> str | None:
    """Why an anonymous request sends nothing, or None when it sends the invitation.

    Any invitation e-mail to the official address in the last 24 hours (whoever sent it: support,
    an administrator, an earlier request) holds it back: sending again would replace the link in
    the school's mailbox. So does an organization out of invitation e-mails for the day. Either
    way the requester gets the same 202, so the answer tells nothing about the school."""
    if last_sent_to_official is not None and last_sent_to_official > now - QUIET_PERIOD:
        return SENT_RECENTLY
    if allowance.left == 0:
        return DAILY_LIMIT_REACHED
    return None


class RequestScoActivationPorts(Writes, HasOrganizations, InvitationSendingPorts, Protocol): ...


class RequestScoActivation:
    """The ADMIN invitation always goes to the school's official e-mail, never to the requester,
    unless an invitation e-mail went there less than 24 hours ago or the organization sent its
    invitation e-mails of the day (202 either way, nothing sent, nothing changed). Rate-limited
    per client address. The requester's name is not stored (we keep only what the service uses)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[RequestScoActivationPorts],
        clock: Clock,
        policy: InvitationPolicy,
        limiter: RateLimiter,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._limiter = limiter

    async def __call__(self, command: RequestScoActivationCommand) -> None:
        await acquire_all(
            self._limiter, [(Limit.SCO_ACTIVATION_REQUESTS_PER_ADDRESS, (command.client_address,))]
        )
        now = self._clock.now()
        async with self._uow() as uow:
            organization = await uow.organizations.get_by_uai(command.uai.strip().upper())
            if organization is None:
                raise OrganizationNotFound()
            if organization.archived_at is not None:
                raise OrganizationArchived()
            if not organization.email:
                raise OrganizationWithoutEmail()
            official = normalise_email(organization.email) or organization.email.strip().lower()
            # The lock first, so that two requests at once cannot both find the mailbox quiet.
            allowance = await emails_left_today(uow, organization.id, now, self._policy)
            last_sent = await uow.invitations.last_sent_to(organization.id, official)
            reason = reason_to_send_nothing(last_sent, allowance, now)
            if reason is not None:
                await uow.audit.record(
                    AuditEvent(
                        type="SCO_ACTIVATION_REQUEST_IGNORED",
                        actor=Actor.anonymous(),
                        occurred_at=now,
                        organization_id=organization.id,
                        target_type="organization",
                        target_id=organization.id,
                        details={"reason": reason},
                    )
                )
                await uow.commit()
                return
            await send_invitation(
                uow,
                organization,
                official,
                role=Role.ADMIN,
                locale=command.locale,
                is_activation=True,
                actor=Actor.anonymous(),
                now=now,
                policy=self._policy,
            )
            await uow.commit()
