from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OrganizationType(StrEnum):
    SCO = "SCO"
    SUP = "SUP"
    PRO = "PRO"


class Role(StrEnum):
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    name: str
    type: OrganizationType
    uai: str | None
    email: str | None
    is_managing_students: bool
    created_at: datetime
    archived_at: datetime | None


@dataclass(frozen=True, slots=True)
class Membership:
    id: int
    organization_id: int
    user_id: int
    role: Role
    created_at: datetime
    updated_at: datetime
    disabled_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class UserMembership:
    """A membership as its owner sees it, with the organization's name."""

    id: int
    role: Role
    organization_id: int
    organization_name: str
    organization_type: OrganizationType


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"  # derived from expires_at, never stored


class DeliveryStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class Invitation:
    id: int
    organization_id: int
    email: str
    role: Role | None  # None: "auto", decided at acceptance
    status: InvitationStatus  # as stored: PENDING, ACCEPTED or CANCELLED
    code_hash: str
    locale: str
    is_activation: bool
    inviter_id: int | None
    created_at: datetime
    updated_at: datetime
    last_sent_at: datetime
    expires_at: datetime
    accepted_by_user_id: int | None
    delivery_status: DeliveryStatus

    def status_at(self, now: datetime) -> InvitationStatus:
        if self.status is InvitationStatus.PENDING and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return self.status

    def is_pending_at(self, now: datetime) -> bool:
        return self.status_at(now) is InvitationStatus.PENDING


@dataclass(frozen=True, slots=True)
class InvitationView:
    """An invitation as its organization's administrators see it, with its status when it was read
    (an expired invitation is stored as pending)."""

    invitation: Invitation
    status: InvitationStatus

    @classmethod
    def at(cls, invitation: Invitation, now: datetime) -> InvitationView:
        return cls(invitation, invitation.status_at(now))


@dataclass(frozen=True, slots=True)
class MemberView:
    """A membership as the team list shows it."""

    id: int
    role: Role
    created_at: datetime
    user_id: int
    first_name: str
    last_name: str
    email: str | None
