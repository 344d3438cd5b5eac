"""What accepting an invitation does, decided from what was read (no input/output here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.organizations.entities import Invitation, InvitationStatus, Membership, Role
from domain.organizations.errors import InvitationAlreadyAccepted, InvitationCancelled, InvitationExpired


class Acceptance(StrEnum):
    CREATE = "CREATE"  # no membership yet: one is created with the invitation's role
    REENABLE = "REENABLE"  # a disabled membership: enabled again, with the invitation's role
    PROMOTE = "PROMOTE"  # an active MEMBER and an ADMIN invitation: promoted, the invitation used
    KEEP_PENDING = "KEEP_PENDING"  # an active membership otherwise: unchanged, the invitation left pending
    REPLAY = "REPLAY"  # the user who accepted it calls again: their membership as it is


@dataclass(frozen=True)
class AcceptanceDecision:
    action: Acceptance
    role: Role  # the role the invitation gives; for KEEP_PENDING and REPLAY, the membership's


def decide_acceptance(
    invitation: Invitation,
    user_id: int,
    current: Membership | None,
    organization_has_active_members: bool,
    now: datetime,
) -> AcceptanceDecision:
    """The caller's existing membership in the invitation's organization is ``current``. An invitation
    no longer pending answers the same membership to the user who accepted it, else the error that
    says why the link no longer works. Role "auto" (``None``): ADMIN when the organization has no
    active member, MEMBER otherwise. A colleague who clicks a link "to check it" while already an
    active member does not use it up, unless it makes them an administrator."""
    status = invitation.status_at(now)
    if status is InvitationStatus.ACCEPTED:
        if invitation.accepted_by_user_id == user_id and current is not None and current.is_active:
            return AcceptanceDecision(Acceptance.REPLAY, current.role)
        # Someone else used it, or its user was removed since: the link is spent.
        raise InvitationAlreadyAccepted()
    if status is InvitationStatus.CANCELLED:
        raise InvitationCancelled()
    if status is InvitationStatus.EXPIRED:
        raise InvitationExpired()
    role = invitation.role or (Role.MEMBER if organization_has_active_members else Role.ADMIN)
    if current is None:
        return AcceptanceDecision(Acceptance.CREATE, role)
    if not current.is_active:
        return AcceptanceDecision(Acceptance.REENABLE, role)
    if role is Role.ADMIN and current.role is Role.MEMBER:
        return AcceptanceDecision(Acceptance.PROMOTE, role)
    return AcceptanceDecision(Acceptance.KEEP_PENDING, current.role)
