"""A store with helpers to lay out schools, campaigns and pupils, for the joining use cases."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from domain.accounts.entities import User
from domain.campaigns.entities import Campaign, CampaignType
from domain.organizations.entities import Membership, Organization, OrganizationType, Role
from domain.students.entities import Student
from tests.unit.fakes import FakeHasher, Store

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@dataclasses.dataclass
class JoiningStore(Store):
    def add_user(
        self,
        *,
        email: str | None = None,
        username: str | None = None,
        terms: bool = True,
        support: bool = False,
    ) -> User:
        """An account, with its password ``hash:`` of the joining tests' ``Eleve2024x``."""
        user = User(
            id=len(self.users) + 1,
            first_name="Ada",
            last_name="Lovelace",
            email=email,
            username=username,
            password_hash="hash:Eleve2024x",
            must_change_password=False,
            temporary_password_expires_at=None,
            terms_accepted_at=T0,
            pix_orga_terms_accepted_at=T0 if terms else None,
            locale="fr",
            is_support=support,
            created_at=T0,
            updated_at=T0,
        )
        self.users[user.id] = user
        return user

    def add_organization(self, *, managing: bool = True, archived: bool = False) -> Organization:
        org = Organization(
            id=len(self.organizations) + 1,
            name=f"Lycée {len(self.organizations) + 1}",
            type=OrganizationType.SCO if managing else OrganizationType.SUP,
            uai=f"07512{len(self.organizations) + 1:02d}A" if managing else None,
            email="ce@ac-paris.fr",
            is_managing_students=managing,
            created_at=T0,
            archived_at=T0 if archived else None,
        )
        self.organizations[org.id] = org
        return org

    def add_campaign(
        self, organization: Organization, code: str = "ABCDEF234", *, archived: bool = False
    ) -> Campaign:
        campaign = Campaign(
            id=len(self.campaigns) + 1,
            organization_id=organization.id,
            code=code,
            name="Rentrée",
            type=CampaignType.ASSESSMENT,
            creator_id=None,
            created_at=T0,
            archived_at=T0 if archived else None,
        )
        self.campaigns[campaign.id] = campaign
        return campaign

    def add_student(self, organization: Organization, **fields: Any) -> Student:
        values: dict[str, Any] = {
            "id": len(self.students) + 1,
            "organization_id": organization.id,
            "national_student_id": f"{len(self.students) + 1:09d}AA",
            "last_name": "TURING",
            "preferred_last_name": None,
            "first_name": "Alan",
            "middle_name": None,
            "third_name": None,
            "birthdate": date(2002, 6, 23),
            "division": "TG2",
            "user_id": None,
            "created_at": T0,
            "updated_at": T0,
            "disabled_at": None,
        }
        values.update(fields)
        student = Student(**values)
        self.students[student.id] = student
        return student

    def add_member(
        self, organization: Organization, user_id: int, *, active: bool = True, role: Role = Role.MEMBER
    ) -> Membership:
        """A membership of the user (the one they had in this organization, changed, if any)."""
        existing = next(
            (
                m.id
                for m in self.memberships.values()
                if (m.organization_id, m.user_id) == (organization.id, user_id)
            ),
            len(self.memberships) + 1,
        )
        membership = Membership(
            id=existing,
            organization_id=organization.id,
            user_id=user_id,
            role=role,
            created_at=T0,
            updated_at=T0,
            disabled_at=None if active else T0,
        )
        self.memberships[membership.id] = membership
        return membership


class CountingHasher(FakeHasher):
    """Counts the hashes made: each one is an argon2 on the login cores in production."""

    def __init__(self) -> None:
        self.hashes = 0

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return await super().hash(password)
