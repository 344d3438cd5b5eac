"""A new head teacher asks, by UAI, for the activation invitation of their school."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.errors import TooManyRequests
from domain.organizations.entities import Role
from domain.organizations.errors import OrganizationArchived, OrganizationNotFound, OrganizationWithoutEmail
from domain.organizations.invitation_sending import InvitationPolicy, send_invitation
from domain.rate_limits import Limit, RateLimiter
from domain.unit_of_work import UnitOfWorkFactory

QUIET_PERIOD = timedelta(hours=24)


@dataclass(frozen=True)
class RequestScoActivationCommand:
    uai: str
    client_address: str
    locale: str = "fr"


class RequestScoActivation:
    """The ADMIN invitation always goes to the school's official e-mail, never to the requester.
    When a pending activation invitation was sent less than 24 hours ago, nothing is sent, so
    nobody can kill the link already in the school's mailbox by asking again. Rate-limited per
    client address. The requester's name is not stored (we keep only what the service uses)."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, policy: InvitationPolicy, limiter: RateLimiter
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy
        self._limiter = limiter

    async def __call__(self, command: RequestScoActivationCommand) -> None:
        limit = Limit.SCO_ACTIVATION_REQUESTS_PER_ADDRESS
        retry_after = await self._limiter.retry_after(limit, command.client_address)
        if retry_after is not None:
            raise TooManyRequests(retry_after=retry_after)
        await self._limiter.record(limit, command.client_address)
        now = self._clock.now()
        async with self._uow() as uow:
            organization = await uow.organizations.get_by_uai(command.uai.strip().upper())
            if organization is None:
                raise OrganizationNotFound()
            if organization.archived_at is not None:
                raise OrganizationArchived()
            if not organization.email:
                raise OrganizationWithoutEmail()
            pending = await uow.invitations.find_pending_activation(organization.id, organization.email)
            if (
                pending is not None
                and pending.is_pending_at(now)
                and pending.last_sent_at > now - QUIET_PERIOD
            ):
                await uow.audit.record(
                    AuditEvent(
                        type="SCO_ACTIVATION_REQUEST_IGNORED",
                        actor=Actor.anonymous(),
                        occurred_at=now,
                        organization_id=organization.id,
                        target_type="invitation",
                        target_id=pending.id,
                        details={"reason": "sent_less_than_24_hours_ago"},
                    )
                )
                await uow.commit()
                return
            await send_invitation(
                uow,
                organization,
                organization.email,
                role=Role.ADMIN,
                locale=command.locale,
                is_activation=True,
                actor=Actor.anonymous(),
                now=now,
                policy=self._policy,
            )
            await uow.commit()
