"""What attaching accounts to students reads: matching candidates, the row lock, support search.

The attachments themselves are written by the students repository."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.joining.matching import MatchCandidate
from domain.joining.ports import (
    AccountSnapshot,
    CandidateLinks,
    LinkedAccount,
    MatchSnapshot,
    ParticipationSnapshot,
    StudentWithAccount,
)
from domain.students.entities import Student
from infrastructure.db.direct_read import ByName, DirectRead
from infrastructure.db.repositories.campaigns import (
    CAMPAIGN_BY_CODE,
    campaign_overview_from_row,
    leads_with_campaign_by_code,
    participation_from_row,
)
from infrastructure.db.repositories.memberships import membership_from_row
from infrastructure.db.repositories.students import student_from_row
from infrastructure.db.tables import (
    campaign_participations,
    memberships,
    organizations,
    students,
    users,
)


def linked_account(row: Any) -> LinkedAccount | None:
    if row.user_id is None:
        return None
    return LinkedAccount(row.user_id, row.username, row.email)


STUDENT_COLUMNS = [column for column in students.c if column.name != "search_text"]
STUDENT_FIELDS = tuple(field.name for field in dataclasses.fields(Student))
"""The columns a ``Student`` is made of, in the order of its fields."""


def _same_ine_elsewhere(student: Any, other: Any) -> Any:
    """The outer join of a student attached to no account to the students of its INE in other
    organizations (whose accounts ``link_conflict_of`` decides from)."""
    return and_(
        student.c.user_id.is_(None),
        other.c.national_student_id == student.c.national_student_id,
        other.c.organization_id != student.c.organization_id,
    )


def _match_snapshot_statement() -> Any:
    """One statement for ``match_snapshot``: the campaign with its organization (and so its roster
    revision), then one row per candidate and account of the same INE elsewhere (outer joins: the
    campaign's row alone when there is no candidate). A candidate's columns are those of a
    ``Student``, in the order of its fields, and nothing else of the student is read."""
    target = CAMPAIGN_BY_CODE.cte("target")
    attached = users.alias("attached")
    other = students.alias("other")
    elsewhere = users.alias("elsewhere")
    return (
        select(
            target,
            select(users.c.id).where(users.c.username == bindparam("username")).exists().label("taken"),
            *(students.c[name].label(f"s_{name}") for name in STUDENT_FIELDS),
            attached.c.username.label("a_username"),
            attached.c.email.label("a_email"),
            elsewhere.c.id.label("e_user_id"),
            elsewhere.c.username.label("e_username"),
            elsewhere.c.email.label("e_email"),
        )
        .select_from(
            target.outerjoin(
                students,
                and_(
                    students.c.organization_id == target.c.organization_id,
                    students.c.birthdate == bindparam("birthdate"),
                    students.c.disabled_at.is_(None),
                ),
            )
            .outerjoin(attached, attached.c.id == students.c.user_id)
            .outerjoin(other, _same_ine_elsewhere(students, other))
            .outerjoin(elsewhere, elsewhere.c.id == other.c.user_id)
        )
        .order_by(students.c.id, other.c.updated_at.desc(), other.c.id.desc())
    )


def _participation_snapshot_statement() -> Any:
    """One statement for ``participation_snapshot``: the campaign with its organization, and the
    account's membership, participation and active student there (outer joins on unique keys, so
    one row at most)."""
    target = CAMPAIGN_BY_CODE.cte("target")
    return select(
        target,
        *(column.label(f"m_{column.name}") for column in memberships.c),
        *(column.label(f"p_{column.name}") for column in campaign_participations.c),
        *(students.c[name].label(f"s_{name}") for name in STUDENT_FIELDS),
    ).select_from(
        target.outerjoin(
            memberships,
            and_(
                memberships.c.organization_id == target.c.organization_id,
                memberships.c.user_id == bindparam("user_id"),
            ),
        )
        .outerjoin(
            campaign_participations,
            and_(
                campaign_participations.c.campaign_id == target.c.id,
                campaign_participations.c.user_id == bindparam("user_id"),
            ),
        )
        .outerjoin(
            students,
            and_(
                students.c.organization_id == target.c.organization_id,
                students.c.user_id == bindparam("user_id"),
                students.c.disabled_at.is_(None),
            ),
        )
    )


def _account_snapshot_statement() -> Any:
    """One statement for ``account_snapshot``: the campaign with its organization, the student from
    a ``FOR UPDATE`` common table expression (PostgreSQL does not fold a locking one into the
    query: the lock is taken, and the row read as committed once it is held), then one row per
    account of the same INE elsewhere, when the student is attached to none."""
    target = CAMPAIGN_BY_CODE.cte("target")
    locked = (
        select(*(students.c[name] for name in STUDENT_FIELDS))
        .where(students.c.id == bindparam("student_id"))
        .with_for_update()
        .cte("locked")
    )
    other = students.alias("other")
    return (
        select(
            target,
            *(locked.c[name].label(f"s_{name}") for name in STUDENT_FIELDS),
            users.c.id.label("e_user_id"),
            users.c.username.label("e_username"),
            users.c.email.label("e_email"),
        )
        .select_from(
            target.outerjoin(locked, true())
            .outerjoin(other, _same_ine_elsewhere(locked, other))
            .outerjoin(users, users.c.id == other.c.user_id)
        )
        .order_by(other.c.updated_at.desc(), other.c.id.desc())
    )


def _selected(statement: Any) -> dict[str, int]:
    """The position of each column of a snapshot's rows, by the name it is selected as."""
    return {name: position for position, name in enumerate(statement.selected_columns.keys())}


def _positions(at: dict[str, int], table: Table, prefix: str = "") -> dict[str, int]:
    """The positions of ``table``'s columns, by their names, selected as ``prefix`` + name."""
    return {column.name: at[prefix + column.name] for column in table.c}


def _student_columns(at: dict[str, int]) -> slice:
    """The ``s_`` columns, in the order of a ``Student``'s fields."""
    columns = slice(at["s_id"], at["s_id"] + len(STUDENT_FIELDS))
    assert [*at][columns] == [f"s_{name}" for name in STUDENT_FIELDS]
    return columns


# Built once, with their values bound at each call: the account and participation requests run them,
# and building a statement cost about as much CPU as sending it.
_PARTICIPATION_SNAPSHOT = _participation_snapshot_statement()
_ACCOUNT_SNAPSHOT = _account_snapshot_statement()
_LOCK = select(*STUDENT_COLUMNS).where(students.c.id == bindparam("student_id")).with_for_update()
_ACTIVE_OF_USER = select(*STUDENT_COLUMNS).where(
    students.c.organization_id == bindparam("organization_id"),
    students.c.user_id == bindparam("user_id"),
    students.c.disabled_at.is_(None),
)
_ACCOUNTS_LINKED_ELSEWHERE = (
    select(users.c.id.label("user_id"), users.c.username, users.c.email)
    .select_from(students.join(users, users.c.id == students.c.user_id))
    .where(
        students.c.national_student_id == bindparam("national_student_id"),
        students.c.organization_id != bindparam("organization_id"),
    )
    .order_by(students.c.updated_at.desc(), students.c.id.desc())
)


class SqlStudentLinkRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def match_snapshot(
        self, campaign_code: str, birthdate: date, username: str
    ) -> MatchSnapshot | None:
        parameters = {"code": campaign_code, "birthdate": birthdate, "username": username}
        rows = await _SNAPSHOT_READ.rows(self._db, parameters)
        if not rows:
            return None
        first = rows[0]
        campaign = campaign_overview_from_row(first)
        candidates: dict[int, tuple[Student, LinkedAccount | None, dict[int, LinkedAccount]]] = {}
        for row in rows:
            student_id = row[_STUDENT.start]
            if student_id is None:
                continue
            if student_id not in candidates:
                student = Student(*row[_STUDENT])
                attached = (
                    LinkedAccount(student.user_id, row[_AT["a_username"]], row[_AT["a_email"]])
                    if student.user_id is not None
                    else None
                )
                candidates[student_id] = (student, attached, {})
            elsewhere_id = row[_AT["e_user_id"]]
            if elsewhere_id is not None:
                candidates[student_id][2].setdefault(
                    elsewhere_id,
                    LinkedAccount(elsewhere_id, row[_AT["e_username"]], row[_AT["e_email"]]),
                )
        return MatchSnapshot(
            campaign=campaign,
            roster_version=(str(first[_AT["org_roster_revision"]]),),
            candidates=tuple(
                CandidateLinks(student, attached, tuple(elsewhere.values()))
                for student, attached, elsewhere in candidates.values()
            ),
            username_taken=bool(first[_AT["taken"]]),
        )

    async def participation_snapshot(self, campaign_code: str, user_id: int) -> ParticipationSnapshot | None:
        parameters = {"code": campaign_code, "user_id": user_id}
        row = (await self._db.execute(_PARTICIPATION_SNAPSHOT, parameters)).first()
        if row is None:
            return None
        return ParticipationSnapshot(
            campaign_overview_from_row(row),
            membership_from_row(ByName(row, _PS_MEMBERSHIP))
            if row[_PS_MEMBERSHIP["id"]] is not None
            else None,
            (
                participation_from_row(ByName(row, _PS_PARTICIPATION))
                if row[_PS_PARTICIPATION["id"]] is not None
                else None
            ),
            Student(*row[_PS_STUDENT]) if row[_PS_STUDENT.start] is not None else None,
        )

    async def account_snapshot(self, campaign_code: str, student_id: int) -> AccountSnapshot | None:
        parameters = {"code": campaign_code, "student_id": student_id}
        rows = (await self._db.execute(_ACCOUNT_SNAPSHOT, parameters)).all()
        if not rows:
            return None
        first = rows[0]
        elsewhere: dict[int, LinkedAccount] = {}
        for row in rows:
            if (user_id := row[_AS_AT["e_user_id"]]) is not None:
                elsewhere.setdefault(
                    user_id, LinkedAccount(user_id, row[_AS_AT["e_username"]], row[_AS_AT["e_email"]])
                )
        return AccountSnapshot(
            campaign_overview_from_row(first),
            Student(*first[_AS_STUDENT]) if first[_AS_STUDENT.start] is not None else None,
            tuple(elsewhere.values()),
        )

    async def active_born_on(self, organization_id: int, birthdate: date) -> list[Student]:
        query = (
            select(*STUDENT_COLUMNS)
            .where(
                students.c.organization_id == organization_id,
                students.c.birthdate == birthdate,
                students.c.disabled_at.is_(None),
            )
            .order_by(students.c.id)
        )
        return [student_from_row(row) for row in (await self._db.execute(query)).all()]

    async def active_roster(self, organization_id: int) -> list[MatchCandidate]:
        query = select(
            students.c.id,
            students.c.first_name,
            students.c.middle_name,
            students.c.third_name,
            students.c.last_name,
            students.c.preferred_last_name,
        ).where(students.c.organization_id == organization_id, students.c.disabled_at.is_(None))
        return [MatchCandidate(*row) for row in (await self._db.execute(query)).all()]

    async def roster_version(self, organization_id: int) -> tuple[str, ...]:
        query = select(organizations.c.roster_revision).where(organizations.c.id == organization_id)
        return (str((await self._db.execute(query)).scalar_one_or_none()),)

    async def get(self, student_id: int) -> Student | None:
        row = (
            await self._db.execute(select(*STUDENT_COLUMNS).where(students.c.id == student_id))
        ).one_or_none()
        return student_from_row(row) if row else None

    async def lock(self, student_id: int) -> Student | None:
        row = (await self._db.execute(_LOCK, {"student_id": student_id})).one_or_none()
        return student_from_row(row) if row else None

    async def active_of_user(self, organization_id: int, user_id: int) -> Student | None:
        found = await self._db.execute(
            _ACTIVE_OF_USER, {"organization_id": organization_id, "user_id": user_id}
        )
        row = found.first()
        return student_from_row(row) if row else None

    async def of_user(self, user_id: int) -> list[Student]:
        query = (
            select(*STUDENT_COLUMNS)
            .where(students.c.user_id == user_id)
            .order_by(students.c.updated_at.desc(), students.c.id.desc())
        )
        return [student_from_row(row) for row in (await self._db.execute(query)).all()]

    async def active_by_national_id(
        self, organization_id: int, national_student_id: str, birthdate: date
    ) -> Student | None:
        row = (
            await self._db.execute(
                select(*STUDENT_COLUMNS).where(
                    students.c.organization_id == organization_id,
                    students.c.national_student_id == national_student_id,
                    students.c.birthdate == birthdate,
                    students.c.disabled_at.is_(None),
                )
            )
        ).one_or_none()
        return student_from_row(row) if row else None

    async def accounts_linked_elsewhere(
        self, national_student_id: str, organization_id: int
    ) -> list[LinkedAccount]:
        seen: dict[int, LinkedAccount] = {}
        parameters = {"national_student_id": national_student_id, "organization_id": organization_id}
        for row in (await self._db.execute(_ACCOUNTS_LINKED_ELSEWHERE, parameters)).all():
            seen.setdefault(row.user_id, LinkedAccount(row.user_id, row.username, row.email))
        return list(seen.values())

    async def with_accounts(
        self, organization_id: int, student_ids: Sequence[int]
    ) -> list[StudentWithAccount]:
        if not student_ids:
            return []
        other = students.alias("other")
        elsewhere = (
            select(other.c.id)
            .where(
                other.c.user_id == students.c.user_id,
                other.c.organization_id != organization_id,
                other.c.disabled_at.is_(None),
            )
            .exists()
        )
        query = (
            select(*STUDENT_COLUMNS, users.c.username, users.c.email, elsewhere.label("in_use_elsewhere"))
            .outerjoin(users, users.c.id == students.c.user_id)
            .where(students.c.organization_id == organization_id, students.c.id.in_(list(student_ids)))
        )
        return [
            StudentWithAccount(student_from_row(row), linked_account(row), bool(row.in_use_elsewhere))
            for row in (await self._db.execute(query)).all()
        ]


_MATCH_SNAPSHOT = _match_snapshot_statement()
_SNAPSHOT_READ = DirectRead(_MATCH_SNAPSHOT)
_AT = _selected(_MATCH_SNAPSHOT)
_STUDENT = _student_columns(_AT)

_PS_AT = _selected(_PARTICIPATION_SNAPSHOT)
_PS_MEMBERSHIP = _positions(_PS_AT, memberships, "m_")
_PS_PARTICIPATION = _positions(_PS_AT, campaign_participations, "p_")
_PS_STUDENT = _student_columns(_PS_AT)

_AS_AT = _selected(_ACCOUNT_SNAPSHOT)
_AS_STUDENT = _student_columns(_AS_AT)
assert all(
    leads_with_campaign_by_code(statement)
    for statement in (_MATCH_SNAPSHOT, _PARTICIPATION_SNAPSHOT, _ACCOUNT_SNAPSHOT)
)
