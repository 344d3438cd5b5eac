"""The unit of work of the identity match (``statement_at_a_time``): no transaction around its
statements on PostgreSQL, and still nothing written unless committed, since the decisions it records
wait for the commit, which writes them in one statement. On SQLite it is the usual transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.joining.ports import RecordedMatch
from infrastructure.db.tables import identity_match_decisions
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.contract.backends import SqlBackend, committed_campaign, committed_organization

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def decision(campaign_id: int, outcome: str) -> RecordedMatch:
    return RecordedMatch(T0, campaign_id, "student-matches", outcome, "no_candidate", None, None, None, None)


async def recorded(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        query = select(identity_match_decisions.c.outcome).order_by(identity_match_decisions.c.id)
        return list((await connection.execute(query)).scalars())


async def test_decisions_wait_for_the_commit(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    campaign = await committed_campaign(backend, (await committed_organization(backend)).id)
    async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
        await uow.match_decisions.record(decision(campaign.id, "NOT_FOUND"))
    assert await recorded(engine) == []  # not committed: nothing

    async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
        await uow.match_decisions.record(decision(campaign.id, "MATCHED"))
        await uow.match_decisions.record(decision(campaign.id, "CONFLICT"))
        await uow.commit()
        await uow.commit()  # nothing left to write
    assert await recorded(engine) == ["MATCHED", "CONFLICT"]
