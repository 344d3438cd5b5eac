from __future__ import annotations

import zlib
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any, Final, TypeVar

from sqlalchemy import (
    ColumnElement,
    String,
    Text,
    any_,
    bindparam,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.joining.errors import UserAlreadyLinkedInOrganization
from domain.students.entities import Student
from domain.students.ports import (
    IMPORTED_FIELDS,
    AccountElsewhere,
    StoredStudent,
)
from domain.students.search_text import student_search_text
from domain.students.siecle import StudentRecord
from infrastructure.db.copy_rows import copy_rows
from infrastructure.db.direct_read import DirectRead
from infrastructure.db.integrity import violates
from infrastructure.db.tables import organizations, students, users

# asyncpg takes at most 32,767 parameters a statement.
CHUNK = 5_000
IMPORT_LOCK_CLASS = zlib.crc32(b"pix-orga student import") & 0x7FFFFFFF

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def student_from_row(row: Any) -> Student:
    return Student(
        id=row.id,
        organization_id=row.organization_id,
        national_student_id=row.national_student_id,
        last_name=row.last_name,
        preferred_last_name=row.preferred_last_name,
        first_name=row.first_name,
        middle_name=row.middle_name,
        third_name=row.third_name,
        birthdate=row.birthdate,
        division=row.division,
        user_id=row.user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        disabled_at=row.disabled_at,
    )


def _array_of(column: ColumnElement[Any]) -> ARRAY[Any]:
    """PostgreSQL: the type of an array of ``column``'s values, its items without the column's
    length. A cast to ``VARCHAR(20)[]`` cuts a longer text down without a word, where storing it
    refuses it and comparing it finds nothing: an over-long INE stored cut, or taken for the
    stored one it begins with. Texts go as ``TEXT[]``, whose codec asyncpg has built in: the codec
    of a ``VARCHAR[]`` it asks the server for on each new connection (two round trips and 3 to 5 ms
    of the server's time, paid by the first import on a connection, which in service, imports being
    rare among requests, is most imports)."""
    if isinstance(column.type, String):
        return ARRAY(Text())
    return ARRAY(type(column.type)())


_COPIED: Final = ("national_student_id", *IMPORTED_FIELDS)
_COPIED_FIELDS: Final = attrgetter(*_COPIED)
_COPY_COLUMNS: Final = (*_COPIED, "search_text", "organization_id", "created_at", "updated_at")


def _copied_rows(
    records: Sequence[StudentRecord], organization_id: int, now: datetime
) -> list[tuple[Any, ...]]:
    """The rows of ``insert_many``'s ``COPY``, in the order of ``_COPY_COLUMNS``."""
    return [
        (
            *_COPIED_FIELDS(record),
            _search_text(record),
            organization_id,
            now,
            now,
        )
        for record in records
    ]


_STORED_READ: Final = DirectRead(
    select(
        students.c.national_student_id,
        students.c.id,
        students.c.user_id,
        students.c.disabled_at,
        *[students.c[name] for name in IMPORTED_FIELDS],
    ).where(students.c.organization_id == bindparam("organization_id"))
)
_STORED_BIRTHDATE: Final = 4 + IMPORTED_FIELDS.index("birthdate")


def _search_text(record: StudentRecord) -> str:
    return student_search_text(
        record.last_name, record.preferred_last_name, record.first_name, record.middle_name, record.third_name
    )


def _values(record: StudentRecord) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in IMPORTED_FIELDS}
    values["search_text"] = _search_text(record)
    return values


_ATTACH = (
    update(students)
    .where(
        students.c.id == bindparam("student_id"),
        students.c.user_id.is_(None),
        students.c.disabled_at.is_(None),
    )
    .values(user_id=bindparam("attached_user_id"), updated_at=bindparam("now"))
)
"""The account to the student, if active and attached to none; built once (building it cost as much as
sending it)."""


def _attached(student_id: int, user_id: int, now: datetime) -> dict[str, Any]:
    return {"student_id": student_id, "attached_user_id": user_id, "now": now}


class SqlStudentRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    def _among(self, column: ColumnElement[Any], values: Sequence[Any]) -> ColumnElement[bool]:
        """``column IN values``. On PostgreSQL, ``= ANY`` of one array parameter: the statement is
        the same whatever the number of values, so it is prepared and planned once, where an ``IN``
        list renders, prepares and plans a statement of one parameter a value (a school's 2,000
        INEs: 23 ms for a lookup that found nothing)."""
        if self._db.dialect.name == "postgresql":
            return column == any_(literal(list(values), _array_of(column)))
        return column.in_(values)

    async def try_lock_imports(self, organization_id: int) -> bool:
        if self._db.dialect.name != "postgresql":
            # SQLite: every transaction began with BEGIN IMMEDIATE and holds the write lock.
            return True
        statement = text("SELECT pg_try_advisory_xact_lock(:lock_class, :organization_id)")
        result = await self._db.execute(
            statement, {"lock_class": IMPORT_LOCK_CLASS, "organization_id": organization_id}
        )
        return bool(result.scalar())

    async def stored_for_import(self, organization_id: int) -> dict[str, StoredStudent]:
        # Positional, one constructor call a row, and straight to asyncpg once the import lock has
        # begun the transaction: a school's 2,000 rows are read while the import waits, and
        # attribute access by name cost a third of it, SQLAlchemy's result two thirds of the rest.
        rows = await _STORED_READ.rows(self._db, {"organization_id": organization_id})
        return {
            row[0]: StoredStudent(
                row[1], row[0], tuple(row[4:]), row[_STORED_BIRTHDATE], row[2], row[3] is not None
            )
            for row in rows
        }

    async def insert_many(
        self,
        organization_id: int,
        records: list[StudentRecord],
        now: datetime,
        ids_of: Collection[str] = (),
    ) -> dict[str, int]:
        if not records:
            return {}
        await self._bump_roster_revision(organization_id)
        if self._db.dialect.name == "postgresql":
            await copy_rows(self._db, students, _COPY_COLUMNS, _copied_rows(records, organization_id, now))
        else:
            for part in chunks(records, 1_000):
                rows = [
                    {
                        **_values(record),
                        "organization_id": organization_id,
                        "national_student_id": record.national_student_id,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for record in part
                ]
                await self._db.execute(insert(students), rows)
        wanted = frozenset(ids_of).intersection(record.national_student_id for record in records)
        ids: dict[str, int] = {}
        for national_ids in chunks(sorted(wanted)):
            found = await self._db.execute(
                select(students.c.national_student_id, students.c.id).where(
                    students.c.organization_id == organization_id,
                    self._among(students.c.national_student_id, national_ids),
                )
            )
            ids.update((national_id, student_id) for national_id, student_id in found)
        return ids

    async def update_many(
        self, organization_id: int, changes: list[tuple[int, StudentRecord]], now: datetime
    ) -> None:
        if not changes:
            return
        await self._bump_roster_revision(organization_id)
        names = [*IMPORTED_FIELDS, "search_text"]
        # Bound names must differ from the column names in an executemany UPDATE.
        statement = (
            update(students)
            .where(students.c.id == bindparam("student_id"), students.c.organization_id == organization_id)
            .values(
                {**{name: bindparam(f"new_{name}") for name in names}, "updated_at": now, "disabled_at": None}
            )
        )
        for part in chunks(changes, 1_000):
            rows = [
                {"student_id": sid, **{f"new_{key}": value for key, value in _values(record).items()}}
                for sid, record in part
            ]
            await self._db.execute(statement, rows)

    async def disable_many(self, organization_id: int, student_ids: list[int], now: datetime) -> None:
        if student_ids:
            await self._bump_roster_revision(organization_id)
        for part in chunks(student_ids):
            await self._db.execute(
                update(students)
                .where(self._among(students.c.id, part), students.c.organization_id == organization_id)
                .values(disabled_at=now, updated_at=now)
            )

    async def _bump_roster_revision(self, organization_id: int) -> None:
        """Before the students are written, in their transaction: a cache of the roster that read the
        old number is refreshed by the first request after the commit. Bumping first also takes the
        organization's row lock early, so that two writers of one roster run one after the other."""
        await self._db.execute(
            update(organizations)
            .where(organizations.c.id == organization_id)
            .values(roster_revision=organizations.c.roster_revision + 1)
        )

    async def accounts_elsewhere(
        self, organization_id: int, national_ids: list[str]
    ) -> list[AccountElsewhere]:
        found: list[AccountElsewhere] = []
        for part in chunks(national_ids):
            query = (
                select(
                    students.c.national_student_id,
                    students.c.birthdate,
                    students.c.user_id,
                )
                .where(
                    students.c.organization_id != organization_id,
                    self._among(students.c.national_student_id, part),
                    students.c.user_id.is_not(None),
                )
                .order_by(students.c.updated_at.desc())
            )
            found.extend(
                AccountElsewhere(row.national_student_id, row.birthdate, row.user_id)
                for row in (await self._db.execute(query)).all()
            )
        return found

    async def lock_accounts(self, user_ids: list[int]) -> dict[int, frozenset[int]]:
        in_use: dict[int, set[int]] = {}
        for part in chunks(user_ids):
            # PostgreSQL: any other attachment of these accounts (an UPDATE of students.user_id,
            # all of them in this class)
            # takes a key-share lock on the account's row for its foreign key, so it and this lock
            # wait for each other. SQLite: the transaction already holds the database's write lock.
            if self._db.dialect.name == "postgresql":
                await self._db.execute(
                    select(users.c.id)
                    .where(self._among(users.c.id, part))
                    .order_by(users.c.id)
                    .with_for_update()
                )
            query = select(students.c.user_id, students.c.organization_id).where(
                self._among(students.c.user_id, part), students.c.disabled_at.is_(None)
            )
            for row in (await self._db.execute(query)).all():
                in_use.setdefault(row.user_id, set()).add(row.organization_id)
        return {user_id: frozenset(organizations) for user_id, organizations in in_use.items()}

    async def attach_many(self, links: list[tuple[int, int]]) -> None:
        statement = (
            update(students).where(students.c.id == bindparam("student_id")).values(user_id=bindparam("uid"))
        )
        if links:
            await self._db.execute(statement, [{"student_id": sid, "uid": uid} for sid, uid in links])

    async def detach_many(self, student_ids: list[int]) -> None:
        for part in chunks(student_ids):
            await self._db.execute(
                update(students).where(self._among(students.c.id, part)).values(user_id=None)
            )

    async def attach(self, student_id: int, user_id: int, now: datetime) -> bool:
        return await self._update_link(_ATTACH, _attached(student_id, user_id, now)) == 1

    async def attach_new_account(self, student_id: int, user_id: int, now: datetime) -> bool:
        # No savepoint: its two round trips would guard against a refusal that cannot happen.
        result = await self._db.execute(_ATTACH, _attached(student_id, user_id, now))
        return int(result.rowcount) == 1

    async def replace_link(self, student_id: int, user_id: int, now: datetime) -> None:
        await self._update_link(
            update(students).where(students.c.id == student_id).values(user_id=user_id, updated_at=now)
        )

    async def _update_link(self, statement: Any, parameters: dict[str, Any] | None = None) -> int:
        try:
            # A savepoint, so that a refusal by the unique index leaves the transaction usable.
            async with self._db.begin_nested():
                result = await self._db.execute(statement, parameters)
        except IntegrityError as error:
            if violates(error, "uq_students_active_user", "students.organization_id", "students.user_id"):
                raise UserAlreadyLinkedInOrganization() from error
            raise
        return int(result.rowcount)

    async def detach(self, student_id: int, now: datetime) -> None:
        await self._db.execute(
            update(students).where(students.c.id == student_id).values(user_id=None, updated_at=now)
        )
