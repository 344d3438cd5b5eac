"""The two implementations of the repositories the contract cases run against: the in-memory fakes of
the unit tests, and the SQL repositories on the test database built by the migrations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeAlias

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.accounts.entities import NewUser, User
from domain.campaigns.entities import Campaign, CampaignType
from domain.campaigns.ports import NewCampaign
from domain.organizations.entities import Organization, OrganizationType
from domain.organizations.ports import NewOrganization
from domain.students.entities import Student
from domain.students.ports import IMPORTED_FIELDS
from domain.students.siecle import StudentRecord
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.unit.fakes import FakeUnitOfWork
from tests.unit.fakes_campaigns import JoiningStore

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
BIRTHDATE = date(2012, 6, 23)


# Both implementations, checked by mypy at every use: a case can only call what both provide.
ContractUnitOfWork: TypeAlias = FakeUnitOfWork | SqlUnitOfWork


@dataclasses.dataclass(frozen=True)
class Pupil:
    """The fields of a pupil a case chooses; the rest are fixed."""

    national_student_id: str
    first_name: str = "Alan"
    last_name: str = "TURING"
    birthdate: date = BIRTHDATE
    division: str = "6A"


# The imported fields a case does not choose are left empty.
_NOT_CHOSEN: dict[str, Any] = dict.fromkeys(
    name for name in IMPORTED_FIELDS if name not in {field.name for field in dataclasses.fields(Pupil)}
)


class Backend(Protocol):
    name: str

    def uow(self) -> ContractUnitOfWork: ...

    async def add_pupils(self, organization_id: int, pupils: list[Pupil], now: datetime) -> list[Student]:
        """Stores pupils as an import does (committed); the contract of the import is tested elsewhere."""
        ...

    async def disable(self, student_ids: list[int], now: datetime) -> None: ...

    async def reimport(self, organization_id: int, pupils: list[Pupil], now: datetime) -> None:
        """Writes the pupils' fields over those of the stored pupils of the same INE and enables them
        again, as an import does (committed)."""
        ...


def records_of(pupils: list[Pupil]) -> list[StudentRecord]:
    return [
        StudentRecord(line=line, **_NOT_CHOSEN, **dataclasses.asdict(pupil))
        for line, pupil in enumerate(pupils, start=1)
    ]


class FakeBackend:
    name = "fake"

    def __init__(self) -> None:
        self.store = JoiningStore()

    def uow(self) -> ContractUnitOfWork:
        return FakeUnitOfWork(self.store)

    async def add_pupils(self, organization_id: int, pupils: list[Pupil], now: datetime) -> list[Student]:
        organization = self.store.organizations[organization_id]
        return [
            self.store.add_student(organization, **dataclasses.asdict(pupil), created_at=now, updated_at=now)
            for pupil in pupils
        ]

    async def disable(self, student_ids: list[int], now: datetime) -> None:
        for student_id in student_ids:
            student = self.store.students[student_id]
            self.store.students[student_id] = dataclasses.replace(student, disabled_at=now, updated_at=now)

    async def reimport(self, organization_id: int, pupils: list[Pupil], now: datetime) -> None:
        by_national_id = {pupil.national_student_id: pupil for pupil in pupils}
        for student_id, student in list(self.store.students.items()):
            pupil = by_national_id.get(student.national_student_id)
            if student.organization_id == organization_id and pupil is not None:
                fields = dataclasses.asdict(pupil)
                self.store.students[student_id] = dataclasses.replace(
                    student, **fields, disabled_at=None, updated_at=now
                )


class SqlBackend:
    name = "sql"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def uow(self) -> ContractUnitOfWork:
        return SqlUnitOfWork(self.engine)

    async def add_pupils(self, organization_id: int, pupils: list[Pupil], now: datetime) -> list[Student]:
        async with SqlUnitOfWork(self.engine) as uow:
            national_ids = [pupil.national_student_id for pupil in pupils]
            ids = await uow.students.insert_many(
                organization_id, records_of(pupils), now, ids_of=national_ids
            )
            added = [await uow.student_links.get(ids[pupil.national_student_id]) for pupil in pupils]
            await uow.commit()
        return [student for student in added if student is not None]

    async def disable(self, student_ids: list[int], now: datetime) -> None:
        async with SqlUnitOfWork(self.engine) as uow:
            by_organization: dict[int, list[int]] = {}
            for student_id in student_ids:
                student = await uow.student_links.get(student_id)
                assert student is not None, student_id
                by_organization.setdefault(student.organization_id, []).append(student_id)
            for organization_id, ids in by_organization.items():
                await uow.students.disable_many(organization_id, ids, now)
            await uow.commit()

    async def reimport(self, organization_id: int, pupils: list[Pupil], now: datetime) -> None:
        async with SqlUnitOfWork(self.engine) as uow:
            stored = await uow.students.stored_for_import(organization_id)
            changes = [(stored[record.national_student_id].id, record) for record in records_of(pupils)]
            await uow.students.update_many(organization_id, changes, now)
            await uow.commit()


def new_user(
    email: str | None = "ada@example.fr", username: str | None = None, last_name: str = "Lovelace"
) -> NewUser:
    return NewUser("Ada", last_name, email, username, "hash:secret", T0, "fr", T0)


def new_organization(uai: str | None = "0751234A", name: str = "Lycée Pix") -> NewOrganization:
    return NewOrganization(name, OrganizationType.SCO, uai, "ce@ac-paris.fr", True, T0)


def new_campaign(organization_id: int, code: str = "ABCDEF234", created_at: datetime = T0) -> NewCampaign:
    return NewCampaign(organization_id, code, "Rentrée", CampaignType.ASSESSMENT, None, created_at)


async def committed_user(
    backend: Backend, email: str | None = "ada@example.fr", username: str | None = None
) -> User:
    async with backend.uow() as uow:
        user = await uow.users.add(new_user(email, username))
        await uow.commit()
    return user


async def committed_organization(
    backend: Backend, uai: str | None = "0751234A", name: str = "Lycée Pix"
) -> Organization:
    async with backend.uow() as uow:
        organization = await uow.organizations.add(new_organization(uai, name))
        await uow.commit()
    return organization


async def committed_campaign(backend: Backend, organization_id: int, code: str = "ABCDEF234") -> Campaign:
    async with backend.uow() as uow:
        campaign = await uow.campaigns.add(new_campaign(organization_id, code))
        await uow.commit()
    return campaign
