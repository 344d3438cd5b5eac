"""Two recovery requests of one account in two transactions at once (two processes of the service):
the unique index keeps one live request, and the second replaces the first instead of failing.
PostgreSQL only: SQLite serialises writers at ``BEGIN IMMEDIATE``, so the two never overlap there."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.accounts.entities import NewUser
from domain.recovery.entities import RECOVERY_LINK_TTL, AccountRecovery
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.support.databases import until_a_transaction_waits_on_a_lock

pytestmark = pytest.mark.postgresql_only

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def recovery(user_id: int, created_at: datetime) -> AccountRecovery:
    return AccountRecovery(
        uuid.uuid4(), user_id, "jules@example.net", "a" * 64, created_at, created_at + RECOVERY_LINK_TTL
    )


@pytest.mark.asyncio(loop_scope="function")
async def test_a_request_waiting_on_another_replaces_it_once_committed(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        user = await uow.users.add(
            NewUser("Jules", "Maigret", None, "jules.maigret1302", "hash:x", T0, "fr", T0)
        )
        await uow.commit()
    first, second = recovery(user.id, T0), recovery(user.id, T0 + timedelta(seconds=1))

    async with SqlUnitOfWork(engine) as one:
        await one.account_recoveries.add(first)

        async def other_process() -> None:
            async with SqlUnitOfWork(engine) as two:
                await two.account_recoveries.add(second)  # waits on the unique index for ``one``
                await two.commit()

        waiting = asyncio.create_task(other_process())
        await until_a_transaction_waits_on_a_lock(engine)
        assert not waiting.done()
        await one.commit()
    await asyncio.wait_for(waiting, timeout=10)

    async with SqlUnitOfWork(engine) as uow:
        replaced = await uow.account_recoveries.get(first.id)
        live = await uow.account_recoveries.get(second.id)
    assert replaced is not None and replaced.replaced_at == second.created_at
    assert live == second
