"""In-memory fakes of the campaign, participation and student-link ports, on top of ``fakes.py``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

from domain.audit.events import AuditEvent
from domain.campaigns.entities import (
    Campaign,
    CampaignOverview,
    CampaignSummary,
    CampaignType,
    Participation,
    ParticipationView,
)
from domain.campaigns.errors import CampaignCodeAlreadyUsed
from domain.campaigns.ports import NewCampaign, NewParticipation
from domain.joining.errors import UserAlreadyLinkedInOrganization
from domain.joining.matching import MatchCandidate
from domain.joining.ports import (
    LinkedAccount,
    RecordedMatch,
    StudentSearch,
    StudentWithAccount,
    SupportStudentView,
)
from domain.organizations.entities import Membership, Organization, OrganizationType, Role
from domain.pagination import Page, PageRequest
from domain.students.entities import Student
from tests.unit.fakes import FakeHasher, FakeSessions, FakeUsers, Store

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@dataclasses.dataclass
class JoiningStore(Store):
    organizations: dict[int, Organization] = dataclasses.field(default_factory=dict)
    org_memberships: dict[tuple[int, int], Membership] = dataclasses.field(default_factory=dict)
    campaigns: dict[int, Campaign] = dataclasses.field(default_factory=dict)
    participations: dict[int, Participation] = dataclasses.field(default_factory=dict)
    students: dict[int, Student] = dataclasses.field(default_factory=dict)
    decisions: list[RecordedMatch] = dataclasses.field(default_factory=list)
    events: list[AuditEvent] = dataclasses.field(default_factory=list)

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

    def add_member(self, organization: Organization, user_id: int, *, active: bool = True) -> None:
        self.org_memberships[(organization.id, user_id)] = Membership(
            id=len(self.org_memberships) + 1,
            organization_id=organization.id,
            user_id=user_id,
            role=Role.MEMBER,
            created_at=T0,
            updated_at=T0,
            disabled_at=None if active else T0,
        )

    def account(self, user_id: int | None) -> LinkedAccount | None:
        user = self.users.get(user_id) if user_id is not None else None
        return LinkedAccount(user.id, user.username, user.email) if user else None


class CountingHasher(FakeHasher):
    """Counts the hashes made: each one is an argon2 on the login cores in production."""

    def __init__(self) -> None:
        self.hashes = 0

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return await super().hash(password)


class FakeOrganizations:
    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def get(self, organization_id: int) -> Organization | None:
        return self.store.organizations.get(organization_id)


class FakeOrgMemberships:
    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def find(self, organization_id: int, user_id: int) -> Membership | None:
        return self.store.org_memberships.get((organization_id, user_id))


class FakeCampaigns:
    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def add(self, campaign: NewCampaign) -> Campaign:
        if any(c.code == campaign.code for c in self.store.campaigns.values()):
            raise CampaignCodeAlreadyUsed()
        new = Campaign(len(self.store.campaigns) + 1, archived_at=None, **dataclasses.asdict(campaign))
        self.store.campaigns[new.id] = new
        return new

    async def get(self, campaign_id: int) -> Campaign | None:
        return self.store.campaigns.get(campaign_id)

    async def get_by_code(self, code: str) -> CampaignOverview | None:
        campaign = next((c for c in self.store.campaigns.values() if c.code == code), None)
        return (
            CampaignOverview(campaign, self.store.organizations[campaign.organization_id])
            if campaign
            else None
        )

    async def list_for_organization(self, organization_id: int, page: PageRequest) -> Page[CampaignSummary]:
        items = [
            CampaignSummary(
                c,
                sum(
                    1
                    for p in self.store.participations.values()
                    if p.campaign_id == c.id and not p.is_preview
                ),
            )
            for c in self.store.campaigns.values()
            if c.organization_id == organization_id
        ]
        return Page(items, len(items), page)

    async def archive(self, campaign_id: int, now: datetime) -> None:
        campaign = self.store.campaigns[campaign_id]
        if campaign.archived_at is None:
            self.store.campaigns[campaign_id] = dataclasses.replace(campaign, archived_at=now)


class FakeParticipations:
    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def find(self, campaign_id: int, user_id: int) -> Participation | None:
        return next(
            (
                p
                for p in self.store.participations.values()
                if (p.campaign_id, p.user_id) == (campaign_id, user_id)
            ),
            None,
        )

    async def add(self, participation: NewParticipation) -> Participation | None:
        if await self.find(participation.campaign_id, participation.user_id):
            return None
        new = Participation(len(self.store.participations) + 1, **dataclasses.asdict(participation))
        self.store.participations[new.id] = new
        return new

    async def list_for_campaign(self, campaign_id: int, page: PageRequest) -> Page[ParticipationView]:
        items = [
            ParticipationView(p, None)
            for p in self.store.participations.values()
            if p.campaign_id == campaign_id
        ]
        return Page(items, len(items), page)


class FakeMatchLog:
    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def record(self, decision: RecordedMatch) -> None:
        self.store.decisions.append(decision)


class FakeAudit:
    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def record(self, event: AuditEvent) -> None:
        self.store.events.append(event)


class FakeStudentLinks:
    """Enforces what the database does: the conditional attach and the unique (organization, account)
    among active students."""

    def __init__(self, store: JoiningStore) -> None:
        self.store = store

    async def active_born_on(self, organization_id: int, birthdate: date) -> list[Student]:
        return [
            s
            for s in self.store.students.values()
            if s.organization_id == organization_id and s.birthdate == birthdate and s.is_active
        ]

    async def active_roster(self, organization_id: int) -> list[MatchCandidate]:
        return [
            MatchCandidate(
                s.id, s.first_name, s.middle_name, s.third_name, s.last_name, s.preferred_last_name
            )
            for s in self.store.students.values()
            if s.organization_id == organization_id and s.is_active
        ]

    async def roster_version(self, organization_id: int) -> tuple[str, ...]:
        return tuple(str(dataclasses.astuple(c)) for c in await self.active_roster(organization_id))

    async def get(self, student_id: int) -> Student | None:
        return self.store.students.get(student_id)

    async def lock(self, student_id: int) -> Student | None:
        return self.store.students.get(student_id)

    def _check_unique(self, student: Student, user_id: int) -> None:
        if student.is_active and any(
            s.id != student.id
            and s.organization_id == student.organization_id
            and s.user_id == user_id
            and s.is_active
            for s in self.store.students.values()
        ):
            raise UserAlreadyLinkedInOrganization()

    async def attach(self, student_id: int, user_id: int, now: datetime) -> bool:
        student = self.store.students[student_id]
        if student.user_id is not None or not student.is_active:
            return False
        self._check_unique(student, user_id)
        self.store.students[student_id] = dataclasses.replace(student, user_id=user_id, updated_at=now)
        return True

    async def replace_link(self, student_id: int, user_id: int, now: datetime) -> None:
        student = self.store.students[student_id]
        self._check_unique(student, user_id)
        self.store.students[student_id] = dataclasses.replace(student, user_id=user_id, updated_at=now)

    async def detach(self, student_id: int, now: datetime) -> None:
        self.store.students[student_id] = dataclasses.replace(self.store.students[student_id], user_id=None)

    async def active_of_user(self, organization_id: int, user_id: int) -> Student | None:
        return next(
            (
                s
                for s in self.store.students.values()
                if s.organization_id == organization_id and s.user_id == user_id and s.is_active
            ),
            None,
        )

    async def of_user(self, user_id: int) -> list[Student]:
        return [s for s in self.store.students.values() if s.user_id == user_id]

    async def active_by_national_id(
        self, organization_id: int, national_student_id: str, birthdate: date
    ) -> Student | None:
        return next(
            (
                s
                for s in self.store.students.values()
                if (s.organization_id, s.national_student_id, s.birthdate)
                == (organization_id, national_student_id, birthdate)
                and s.is_active
            ),
            None,
        )

    async def accounts_linked_elsewhere(
        self, national_student_id: str, organization_id: int
    ) -> list[LinkedAccount]:
        accounts = [
            self.store.account(s.user_id)
            for s in self.store.students.values()
            if s.national_student_id == national_student_id and s.organization_id != organization_id
        ]
        return [a for a in accounts if a is not None]

    async def with_accounts(
        self, organization_id: int, student_ids: Sequence[int]
    ) -> list[StudentWithAccount]:
        def elsewhere(student: Student) -> bool:
            return student.user_id is not None and any(
                o.user_id == student.user_id and o.organization_id != organization_id and o.is_active
                for o in self.store.students.values()
            )

        return [
            StudentWithAccount(s, self.store.account(s.user_id), elsewhere(s))
            for s in self.store.students.values()
            if s.organization_id == organization_id and s.id in student_ids
        ]

    async def search(self, criteria: StudentSearch, page: PageRequest) -> Page[SupportStudentView]:
        raise NotImplementedError


class FakeJoiningUnitOfWork:
    """Changes apply at once (no rollback): tests check what was recorded before a refusal."""

    def __init__(self, store: JoiningStore) -> None:
        self.store = store
        self.users = FakeUsers(store)
        self.sessions = FakeSessions(store)
        self.organizations = FakeOrganizations(store)
        self.memberships = FakeOrgMemberships(store)
        self.campaigns = FakeCampaigns(store)
        self.participations = FakeParticipations(store)
        self.match_decisions = FakeMatchLog(store)
        self.student_links = FakeStudentLinks(store)
        self.audit = FakeAudit(store)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.store.commits += 1
