"""The unit of work of the identity match (``statement_at_a_time``): no transaction around its
statements on PostgreSQL, and still nothing written unless committed, since the decisions it records
wait for the commit, which writes them in one statement, with those of the units of work sharing its
``GroupedInsert`` that commit meanwhile. On SQLite it is the usual transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.joining.ports import RecordedMatch
from infrastructure.db.grouped_insert import GroupedInsert
from infrastructure.db.repositories.campaigns import RECORD_MATCH
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


@contextmanager
def decision_inserts(
    engine: AsyncEngine, on_send: Callable[[int], None] | None = None
) -> Iterator[list[int]]:
    """The number of rows of each ``INSERT`` of decisions sent to the database meanwhile;
    ``on_send`` is called with it as each goes."""
    sent: list[int] = []

    def count(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if statement.startswith("INSERT INTO identity_match_decisions"):
            sent.append(len(parameters) if many else 1)
            if on_send is not None:
                on_send(sent[-1])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def commit_together(
    engine: AsyncEngine, campaign_ids: list[int], tasks: list[asyncio.Task[None]] | None = None
) -> list[BaseException | None]:
    """One unit of work per campaign id, each on its own connection, recording a decision of that
    campaign; once all have read, they commit at once, in this order. What each commit raised.
    ``tasks`` is given the tasks that run them."""
    decisions = GroupedInsert(RECORD_MATCH)
    everyone_read = asyncio.Event()
    turns = [asyncio.Event() for _ in campaign_ids]
    read = 0

    async def match(position: int, campaign_id: int) -> None:
        nonlocal read
        async with SqlUnitOfWork(engine, statement_at_a_time=True, decisions=decisions) as uow:
            await uow.connection.execute(select(1))
            await uow.match_decisions.record(decision(campaign_id, f"OUTCOME_{position}"))
            read += 1
            if read == len(campaign_ids):
                everyone_read.set()
            await turns[position].wait()
            await uow.commit()

    started = [asyncio.create_task(match(position, id_)) for position, id_ in enumerate(campaign_ids)]
    if tasks is not None:
        tasks.extend(started)
    await everyone_read.wait()
    for turn in turns:  # woken in this order, before any answer from the database is read
        turn.set()
    return list(await asyncio.gather(*started, return_exceptions=True))


@pytest.mark.postgresql_only
async def test_decisions_committed_meanwhile_go_in_one_round_trip(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    campaign = await committed_campaign(backend, (await committed_organization(backend)).id)
    with decision_inserts(engine) as sent:
        outcomes = await commit_together(engine, [campaign.id] * 10)
    assert outcomes == [None] * 10
    # The first commit writes its decision alone; the nine that came while it was on its way wait
    # for it, then go together.
    assert sent == [1, 9]
    assert sorted(await recorded(engine)) == sorted(f"OUTCOME_{n}" for n in range(10))


@pytest.mark.postgresql_only
async def test_a_group_that_fails_leaves_each_to_write_its_own(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    campaign = await committed_campaign(backend, (await committed_organization(backend)).id)
    ids = [campaign.id] * 10
    ids[5] = campaign.id + 1_000  # no such campaign: its decision breaks its group's statement
    with decision_inserts(engine) as sent:
        outcomes = await commit_together(engine, ids)
    assert isinstance(outcomes[5], IntegrityError)
    assert outcomes[:5] + outcomes[6:] == [None] * 9
    assert sent == [1, 9, *([1] * 9)]  # the group of nine refused whole, then each alone
    expected = sorted(f"OUTCOME_{n}" for n in range(10) if n != 5)
    assert sorted(await recorded(engine)) == expected  # each exactly once


@pytest.mark.postgresql_only
async def test_a_writer_cancelled_leaves_the_others_of_its_group_to_write_their_own(
    engine: AsyncEngine,
) -> None:
    backend = SqlBackend(engine)
    campaign = await committed_campaign(backend, (await committed_organization(backend)).id)
    tasks: list[asyncio.Task[None]] = []

    def cancel_the_group_writer(rows: int) -> None:
        if rows == 9:  # the second commit writes for the nine; it is cancelled on the way
            asyncio.get_running_loop().call_soon(tasks[1].cancel)

    with decision_inserts(engine, cancel_the_group_writer) as sent:
        outcomes = await asyncio.wait_for(commit_together(engine, [campaign.id] * 10, tasks), 30)
    assert isinstance(outcomes[1], asyncio.CancelledError)
    assert outcomes[:1] + outcomes[2:] == [None] * 9  # nobody else failed, nobody waits forever
    assert sent[:2] == [1, 9] and sent[2:] == [1] * 8
    # Whether the cancelled statement was run is not known: its rows may be there twice.
    assert set(await recorded(engine)) >= {f"OUTCOME_{n}" for n in range(10) if n != 1}
