"""Accepting an invitation with the account one is logged in with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.access import user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.organizations.entities import Invitation, InvitationStatus, Membership, Organization, Role
from domain.organizations.errors import (
    InvitationAlreadyAccepted,
    InvitationCancelled,
    InvitationExpired,
)
from domain.organizations.read_invitation import invitation_by_code
from domain.unit_of_work import (
    HasAudit,
    HasInvitations,
    HasMemberships,
    HasOrganizations,
    UnitOfWorkFactory,
    Writes,
)


@dataclass(frozen=True)
class AcceptanceResult:
    membership: Membership
    organization: Organization
    created: bool  # 201 when the acceptance created or re-enabled the membership, else 200


class AcceptInvitationPorts(Writes, HasOrganizations, HasMemberships, HasInvitations, HasAudit, Protocol): ...


class AcceptInvitation:
    """Single use: PENDING → ACCEPTED by one conditional update, so of two simultaneous clicks
    the first wins and the second gets ``INVITATION_ALREADY_ACCEPTED``; the user who accepted
    may call again and gets the same membership. Not tied to the invited address. An active
    member is promoted by an ADMIN invitation (which is then used); otherwise their membership
    is unchanged and the invitation stays pending, so that a colleague who clicked a link "to
    check it" does not use it up. A disabled membership is re-enabled with the invitation's
    role. Role "auto": ADMIN when the organization has no active member, MEMBER otherwise."""

    def __init__(self, uow: UnitOfWorkFactory[AcceptInvitationPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, invitation_id: int, code: str) -> AcceptanceResult:
        now = self._clock.now()
        user_id = viewer.user.id
        async with self._uow() as uow:
            invitation = await invitation_by_code(uow, invitation_id, code)
            organization = await uow.organizations.get(invitation.organization_id)
            assert organization is not None
            current = await uow.memberships.find(organization.id, user_id)
            already = self._settled(invitation, user_id, current, now)
            if already is not None:
                return AcceptanceResult(already, organization, created=False)
            role = invitation.role or (
                Role.ADMIN if await uow.memberships.count_active(organization.id) == 0 else Role.MEMBER
            )
            if (
                current is not None
                and current.is_active
                and not (role is Role.ADMIN and current.role is Role.MEMBER)
            ):
                return AcceptanceResult(current, organization, created=False)
            if not await uow.invitations.mark_accepted(invitation.id, user_id, now):
                # Someone accepted (or cancelled) it between our read and our update.
                fresh = await uow.invitations.get(invitation.id)
                assert fresh is not None
                self._settled(fresh, user_id, current, now)
                raise InvitationAlreadyAccepted()
            if current is None:
                membership = await uow.memberships.add(organization.id, user_id, role, now)
                created, event = True, "MEMBERSHIP_CREATED"
            elif current.is_active:
                membership = await uow.memberships.update(current.id, role=Role.ADMIN, enabled=True, now=now)
                created, event = False, "MEMBERSHIP_ROLE_CHANGED"
            else:
                membership = await uow.memberships.update(current.id, role=role, enabled=True, now=now)
                created, event = True, "MEMBERSHIP_REENABLED"
            actor = user_actor(viewer)
            await uow.audit.record(
                AuditEvent(
                    type="INVITATION_ACCEPTED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization.id,
                    target_type="invitation",
                    target_id=invitation.id,
                    details={"role": role.value},
                )
            )
            await uow.audit.record(
                AuditEvent(
                    type=event,
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization.id,
                    target_type="membership",
                    target_id=membership.id,
                    details={"role": membership.role.value},
                )
            )
            await uow.commit()
        return AcceptanceResult(membership, organization, created=created)

    def _settled(
        self, invitation: Invitation, user_id: int, current: Membership | None, now: datetime
    ) -> Membership | None:
        """For an invitation that is no longer pending: the same membership for the user who
        accepted it, else the error that says why the link no longer works."""
        status = invitation.status_at(now)
        if status is InvitationStatus.ACCEPTED:
            if invitation.accepted_by_user_id == user_id and current is not None and current.is_active:
                return current
            # Someone else used it, or its user was removed since: the link is spent.
            raise InvitationAlreadyAccepted()
        if status is InvitationStatus.CANCELLED:
            raise InvitationCancelled()
        if status is InvitationStatus.EXPIRED:
            raise InvitationExpired()
        return None
