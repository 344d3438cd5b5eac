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
