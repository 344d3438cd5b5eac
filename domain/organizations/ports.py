from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.organizations.entities import (
    Invitation,
    Membership,
    MemberView,
    Organization,
    OrganizationType,
    Role,
    UserMembership,
)


@dataclass(frozen=True, slots=True)
class NewOrganization:
    name: str
    type: OrganizationType
    uai: str | None
    email: str | None
    is_managing_students: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewInvitation:
    organization_id: int
    email: str
    role: Role | None
    code_hash: str
    locale: str
    is_activation: bool
    inviter_id: int | None
    now: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SentEmails:
    """An organization's invitation e-mails over a period: how many, and when the first went."""

    count: int
    oldest_at: datetime | None


class OrganizationRepository(Protocol):
    async def add(self, organization: NewOrganization) -> Organization:
        """Raises ``UaiAlreadyUsed`` when the unique index refuses the UAI."""
        ...

    async def get(self, organization_id: int) -> Organization | None: ...

    async def get_by_uai(self, uai: str) -> Organization | None: ...

    async def archive(self, organization_id: int, now: datetime) -> None: ...


class MembershipRepository(Protocol):
    async def has_active_membership(self, user_id: int) -> bool: ...

    async def list_active_for_user(self, user_id: int) -> list[UserMembership]: ...

    async def find(self, organization_id: int, user_id: int) -> Membership | None: ...

    async def get(self, membership_id: int) -> Membership | None: ...

    async def add(self, organization_id: int, user_id: int, role: Role, now: datetime) -> Membership: ...

    async def update(self, membership_id: int, *, role: Role, enabled: bool, now: datetime) -> Membership: ...

    async def lock_active_admins(self, organization_id: int) -> list[int]:
        """The user ids of the active administrators, their rows locked until the end of the
        transaction (``SELECT … FOR UPDATE``), so that two demotions cannot both pass the check."""
        ...

    async def count_active(self, organization_id: int) -> int: ...

    async def get_view(self, membership_id: int) -> MemberView | None: ...


class InvitationRepository(Protocol):
    async def add(self, invitation: NewInvitation) -> Invitation:
        """Raises ``InvitationAlreadyPending`` when a pending one exists for that address."""
        ...

    async def get(self, invitation_id: int) -> Invitation | None: ...

    async def find_pending(self, organization_id: int, email: str) -> Invitation | None: ...

    async def last_sent_to(self, organization_id: int, email: str) -> datetime | None:
        """When the organization's last invitation e-mail to that address went (addresses compared
        lower-cased), whatever its status and whoever sent it; None when none ever did."""
        ...

    async def is_replaced_code(self, invitation_id: int, code_hash: str) -> bool: ...

    async def rotate(
        self,
        invitation: Invitation,
        *,
        code_hash: str,
        role: Role | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """New code (the old hash kept as replaced), new expiry and role, e-mail queued again."""
        ...

    async def mark_accepted(self, invitation_id: int, user_id: int, now: datetime) -> bool:
        """PENDING → ACCEPTED as one conditional update; False when someone else got there first."""
        ...

    async def cancel(self, invitation_id: int, now: datetime) -> bool:
        """PENDING → CANCELLED; False when it was not pending."""
        ...

    async def cancel_all_pending(self, organization_id: int, now: datetime) -> int: ...

    async def lock_sent_emails(self, organization_id: int, since: datetime) -> SentEmails:
        """The organization's invitation e-mails queued since ``since``, counted after taking the
        organization's invitation lock, held until the end of the transaction: two requests
        counting at once are served one after the other, so they cannot both take the last one."""
        ...
