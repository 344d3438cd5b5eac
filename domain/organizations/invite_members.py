"""An administrator invites colleagues by e-mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.clock import Clock
from domain.organizations.email_addresses import parse_email_addresses
from domain.organizations.entities import InvitationView, Role
from domain.organizations.errors import NoValidEmail, OrganizationArchived
from domain.organizations.invitation_sending import (
    KEEP_ROLE,
    InvitationPolicy,
    InvitationSendingPorts,
    emails_left_today,
    send_invitation,
)
from domain.unit_of_work import UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class InviteMembersCommand:
    organization_id: int
    emails: str | Sequence[str]
    role: Role | None = None  # None: not given (MEMBER for a new invitation, unchanged on a resend)
    locale: str = "fr"


@dataclass(frozen=True)
class Rejection:
    email: str
    code: str  # INVALID_EMAIL or RATE_LIMITED


@dataclass(frozen=True)
class InviteMembersResult:
    invitations: list[InvitationView]
    rejected: list[Rejection]


class InviteMembersPorts(Writes, MemberPorts, InvitationSendingPorts, Protocol): ...


class InviteMembers:
    """Addresses as a mail client pastes them, read only once the caller is known to be an
    administrator; at most ``INVITATION_EMAILS_PER_REQUEST`` of them (422 ``TOO_MANY_EMAILS``).
    Each is checked on its own (a bad one is rejected with ``INVALID_EMAIL``, the others invited;
    none valid → 422 ``NO_VALID_EMAIL``). An address with a pending invitation gets it again,
    rotated, instead of a second one. At most ``INVITATIONS_PER_DAY`` e-mails per organization in
    24 hours, every invitation e-mail counted; the addresses over the limit are rejected with
    ``RATE_LIMITED``."""

    def __init__(
        self, uow: UnitOfWorkFactory[InviteMembersPorts], clock: Clock, policy: InvitationPolicy
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def __call__(self, viewer: Viewer, command: InviteMembersCommand) -> InviteMembersResult:
        now = self._clock.now()
        async with self._uow() as uow:
            access = await require_member(uow, viewer, command.organization_id, admin=True)
            parsed = parse_email_addresses(command.emails, max_entries=self._policy.emails_per_request)
            rejected = [Rejection(email, "INVALID_EMAIL") for email in parsed.rejected]
            if not parsed.valid:
                raise NoValidEmail(meta={"rejected": parsed.rejected})
            if access.organization.archived_at is not None:
                raise OrganizationArchived()
            allowance = await emails_left_today(uow, access.organization.id, now, self._policy)
            invitations = [
                await send_invitation(
                    uow,
                    access.organization,
                    email,
                    role=KEEP_ROLE if command.role is None else command.role,
                    locale=command.locale,
                    is_activation=False,
                    actor=user_actor(viewer),
                    now=now,
                    policy=self._policy,
                )
                for email in parsed.valid[: allowance.left]
            ]
            rejected.extend(Rejection(email, "RATE_LIMITED") for email in parsed.valid[allowance.left :])
            await uow.commit()
        return InviteMembersResult(
            [InvitationView.at(invitation, now) for invitation in invitations], rejected
        )
