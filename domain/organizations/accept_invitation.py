"""Accepting an invitation with the account one is logged in with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.access import user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.notifications.webhooks import (
    MEMBERSHIP_CREATED,
    MEMBERSHIP_UPDATED,
    invitation_accepted,
    membership_event,
)
from domain.organizations.entities import Membership, Organization
from domain.organizations.errors import InvitationAlreadyAccepted
from domain.organizations.invitation_acceptance import Acceptance, decide_acceptance
from domain.organizations.invitation_codes import invitation_by_code
from domain.unit_of_work import (
    HasAudit,
    HasInvitations,
    HasMemberships,
    HasOrganizations,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)


@dataclass(frozen=True)
class AcceptanceResult:
    membership: Membership
    organization: Organization
    created: bool  # 201 when the acceptance created or re-enabled the membership, else 200


class AcceptInvitationPorts(
    Writes, HasOrganizations, HasMemberships, HasInvitations, HasAudit, HasWebhookEvents, Protocol
): ...


class AcceptInvitation:
    """Single use: PENDING → ACCEPTED by one conditional update, so of two simultaneous clicks
    the first wins and the second gets ``INVITATION_ALREADY_ACCEPTED``. Not tied to the invited
    address. What acceptance does is ``decide_acceptance``'s to say; this loads what it needs and
    applies its decision."""

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
            has_members = await uow.memberships.count_active(organization.id) > 0
            decision = decide_acceptance(invitation, user_id, current, has_members, now)
            if decision.action in (Acceptance.REPLAY, Acceptance.KEEP_PENDING):
                assert current is not None
                return AcceptanceResult(current, organization, created=False)
            if not await uow.invitations.mark_accepted(invitation.id, user_id, now):
                # Someone accepted (or cancelled) it between our read and our update: the decision
                # on it now raises the error that says why, else it was used by this very user.
                fresh = await uow.invitations.get(invitation.id)
                assert fresh is not None
                decide_acceptance(fresh, user_id, current, has_members, now)
                raise InvitationAlreadyAccepted()
            role = decision.role
            if decision.action is Acceptance.CREATE:
                membership = await uow.memberships.add(organization.id, user_id, role, now)
                created, event = True, "MEMBERSHIP_CREATED"
            else:
                assert current is not None
                membership = await uow.memberships.update(current.id, role=role, enabled=True, now=now)
                if decision.action is Acceptance.PROMOTE:
                    created, event = False, "MEMBERSHIP_ROLE_CHANGED"
                else:
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
            await uow.webhook_events.record(
                invitation_accepted(organization.id, invitation.id, membership.id, user_id, now)
            )
            await uow.webhook_events.record(
                membership_event(
                    MEMBERSHIP_CREATED if created else MEMBERSHIP_UPDATED,
                    organization.id,
                    membership.id,
                    user_id,
                    membership.role.value,
                    now,
                )
            )
            await uow.commit()
        return AcceptanceResult(membership, organization, created=created)
