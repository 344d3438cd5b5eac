from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.recovery.entities import AccountRecovery
from domain.students.entities import Student
from infrastructure.db.integrity import violates
from infrastructure.db.repositories.student_links import STUDENT_COLUMNS
from infrastructure.db.repositories.students import student_from_row
from infrastructure.db.tables import account_recoveries, students

MAX_RECORDS_OF_ONE_PUPIL: Final = 100
"""An INE is in one school at a time and a pupil changes school a few times: a bound on the reading,
far above what a real pupil has."""

ADD_ATTEMPTS: Final = 3

_LIVE = (account_recoveries.c.used_at.is_(None), account_recoveries.c.replaced_at.is_(None))


def recovery_from_row(row: Any) -> AccountRecovery:
    return AccountRecovery(
        id=row.id,
        user_id=row.user_id,
        email=row.email,
        code_hash=row.code_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        replaced_at=row.replaced_at,
    )


class SqlAccountRecoveryRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def records_of(self, national_student_id: str) -> list[Student]:
        query = (
            select(*STUDENT_COLUMNS)
            .where(students.c.national_student_id == national_student_id)
            .order_by(students.c.id)
            .limit(MAX_RECORDS_OF_ONE_PUPIL)
        )
        return [student_from_row(row) for row in (await self._db.execute(query)).all()]

    async def add(self, recovery: AccountRecovery) -> None:
        """Replaces the live request, then inserts, in a savepoint: when a concurrent request of the
        same account inserted its own first, the unique index refuses this one, and the replacement
        is run again (it now sees the other request, committed)."""
        for attempt in range(ADD_ATTEMPTS):
            try:
                async with self._db.begin_nested():
                    await self._db.execute(
                        update(account_recoveries)
                        .where(account_recoveries.c.user_id == recovery.user_id, *_LIVE)
                        .values(replaced_at=recovery.created_at)
                    )
                    await self._db.execute(
                        insert(account_recoveries).values(
                            id=recovery.id,
                            user_id=recovery.user_id,
                            email=recovery.email,
                            code_hash=recovery.code_hash,
                            created_at=recovery.created_at,
                            expires_at=recovery.expires_at,
                            used_at=recovery.used_at,
                            replaced_at=recovery.replaced_at,
                        )
                    )
                return
            except IntegrityError as error:
                live_index = violates(error, "uq_account_recoveries_live_user", "account_recoveries.user_id")
                if not live_index or attempt == ADD_ATTEMPTS - 1:
                    raise

    async def get(self, recovery_id: uuid.UUID) -> AccountRecovery | None:
        row = (
            await self._db.execute(select(account_recoveries).where(account_recoveries.c.id == recovery_id))
        ).one_or_none()
        return recovery_from_row(row) if row else None

    async def complete(self, recovery_id: uuid.UUID, code_hash: str, now: datetime) -> AccountRecovery | None:
        """One conditional update: of two completions at once, one gets the request, the other None
        (on PostgreSQL the second waits for the first's row lock, then finds the row used)."""
        row = (
            await self._db.execute(
                update(account_recoveries)
                .where(
                    account_recoveries.c.id == recovery_id,
                    account_recoveries.c.code_hash == code_hash,
                    account_recoveries.c.expires_at > now,
                    *_LIVE,
                )
                .values(used_at=now)
                .returning(*account_recoveries.c)
            )
        ).one_or_none()
        return recovery_from_row(row) if row else None

    async def was_recovered(self, user_id: int) -> bool:
        query = select(
            exists().where(account_recoveries.c.user_id == user_id, account_recoveries.c.used_at.is_not(None))
        )
        return bool((await self._db.execute(query)).scalar())
