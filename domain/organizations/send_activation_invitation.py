"""Step 1: support sends the activation invitation to the school's official mailbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.accounts.errors import InvalidEmail
from domain.clock import Clock
from domain.organizations.email_addresses import normalise_email
from domain.organizations.entities import InvitationView, Role
from domain.organizations.errors import OrganizationArchived, OrganizationNotFound, OrganizationWithoutEmail
from domain.organizations.invitation_sending import (
    InvitationPolicy,
    InvitationSendingPorts,
    require_email_left_today,
    send_invitation,
)
from domain.unit_of_work import HasOrganizations, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class SendActivationInvitationCommand:
    organization_id: int
    email: str | None = None  # default: the organization's official e-mail
    role: Role | None = Role.ADMIN  # None: "auto" (ADMIN if nobody is a member at acceptance)
    locale: str = "fr"


class SendActivationInvitationPorts(Writes, HasOrganizations, InvitationSendingPorts, Protocol): ...


class SendActivationInvitation:
    """ADMIN unless told otherwise; re-sending to an address with a pending invitation rotates it.
    The e-mail counts against the organization's daily invitation e-mails (429 ``RATE_LIMITED``)."""

    def __init__(
        self, uow: UnitOfWorkFactory[SendActivationInvitationPorts], clock: Clock, policy: InvitationPolicy
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def __call__(
        self, viewer: Viewer | None, command: SendActivationInvitationCommand
    ) -> InvitationView:
        actor = require_support(viewer)
        now = self._clock.now()
        async with self._uow() as uow:
            organization = await uow.organizations.get(command.organization_id)
            if organization is None:
                raise OrganizationNotFound()
            if organization.archived_at is not None:
                raise OrganizationArchived()
            if command.email:
                email = normalise_email(command.email)
                if email is None:
                    raise InvalidEmail(meta={"field": "email"})
            elif organization.email:
                email = organization.email
            else:
                raise OrganizationWithoutEmail()
            await require_email_left_today(uow, organization.id, now, self._policy)
            invitation = await send_invitation(
                uow,
                organization,
                email,
                role=command.role,
                locale=command.locale,
                is_activation=True,
                actor=actor,
                now=now,
                policy=self._policy,
            )
            await uow.commit()
        return InvitationView.at(invitation, now)
