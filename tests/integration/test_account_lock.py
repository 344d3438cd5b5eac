"""The transaction that writes a student's account reads the campaign and locks the student in one
statement (``account_snapshot``): a second transaction on the same student waits for the first,
then reads the student as the first committed it. PostgreSQL only: SQLite serialises writers at
``BEGIN IMMEDIATE``, so the two never overlap there."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.joining.ports import AccountSnapshot
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.contract.backends import (
    T0,
    Pupil,
    SqlBackend,
    committed_campaign,
    committed_organization,
    committed_user,
)
from tests.support.databases import until_a_transaction_waits_on_a_lock

pytestmark = pytest.mark.postgresql_only


@pytest.mark.asyncio(loop_scope="function")
async def test_a_second_snapshot_waits_then_reads_the_student_as_the_first_committed_it(
    engine: AsyncEngine,
) -> None:
    backend = SqlBackend(engine)
    school = await committed_organization(backend)
    campaign = await committed_campaign(backend, school.id)
    (alan,) = await backend.add_pupils(school.id, [Pupil("000000001AA")], T0)
    ada = await committed_user(backend)
    async with SqlUnitOfWork(engine) as one:
        first = await one.student_links.account_snapshot(campaign.code, alan.id)
        assert first is not None and first.student == alan

        async def other_process() -> AccountSnapshot | None:
            async with SqlUnitOfWork(engine) as two:
                return await two.student_links.account_snapshot(campaign.code, alan.id)

        second = asyncio.create_task(other_process())
        await until_a_transaction_waits_on_a_lock(engine)
        assert not second.done()
        assert await one.students.attach(alan.id, ada.id, T0 + timedelta(hours=1))
        await one.commit()
    snapshot = await asyncio.wait_for(second, timeout=10)
    assert snapshot is not None and snapshot.student is not None
    assert snapshot.student.user_id == ada.id
    assert snapshot.same_ine_elsewhere == ()
