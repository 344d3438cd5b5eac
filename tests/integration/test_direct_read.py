"""The reads sent straight to asyncpg (``DirectRead``): outside a transaction, the identity match's
one read and a token's session with its account, the same as SQLAlchemy reads, no statement through
SQLAlchemy on the way, and SQLAlchemy's errors when the database refuses a value; an import's read of
the stored students, in its transaction once the transaction's ``BEGIN`` went out, which sees that
transaction's writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.joining.ports import MatchSnapshot
from infrastructure.db.errors import is_invalid_value
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.contract.backends import (
    BIRTHDATE,
    T0,
    Pupil,
    SqlBackend,
    committed_campaign,
    committed_organization,
    committed_user,
)

pytestmark = pytest.mark.postgresql_only


@contextmanager
def statements_through_sqlalchemy(engine: AsyncEngine) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def snapshot(uow: SqlUnitOfWork, code: str, username: str) -> MatchSnapshot | None:
    return await uow.student_links.match_snapshot(code, BIRTHDATE, username)


async def test_reads_what_sqlalchemy_reads_without_going_through_it(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    school = await committed_organization(backend)
    other = await committed_organization(backend, "0750001A", "Lycée 1")
    campaign = await committed_campaign(backend, school.id)
    alan, grace, _ = await backend.add_pupils(
        school.id, [Pupil("000000001AA"), Pupil("000000002AA", "Grace"), Pupil("000000003AA")], T0
    )
    (elsewhere,) = await backend.add_pupils(other.id, [Pupil("000000001AA")], T0)
    ada = await committed_user(backend)
    hopper = await committed_user(backend, None, "grace.hopper0101")
    async with backend.uow() as uow:
        await uow.students.attach(elsewhere.id, ada.id, T0 + timedelta(hours=1))
        await uow.students.attach(grace.id, hopper.id, T0 + timedelta(hours=1))
        await uow.commit()

    for username in ("grace.hopper0101", "alan.turing2306"):
        async with SqlUnitOfWork(engine) as uow:  # in a transaction: through SQLAlchemy
            expected = await snapshot(uow, campaign.code, username)
        with statements_through_sqlalchemy(engine) as sent:
            async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
                direct = await snapshot(uow, campaign.code, username)
        assert sent == []
        assert direct == expected
        assert direct is not None and len(direct.candidates) == 3
        assert direct.candidates[0].student == alan
        assert direct.candidates[0].same_ine_elsewhere[0].user_id == ada.id
        assert direct.campaign.campaign.created_at.tzinfo is not None
    async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
        assert await snapshot(uow, "ZZZZZZ999", "x.y0101") is None


async def test_a_value_the_database_refuses_raises_as_sqlalchemy_raises_it(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    await committed_campaign(backend, (await committed_organization(backend)).id)
    async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
        with pytest.raises(DBAPIError) as refused:
            await snapshot(uow, "ABC\x00DEF", "x.y0101")
    assert is_invalid_value(refused.value)  # 422, as any value PostgreSQL cannot take


async def test_in_a_transaction_only_once_its_begin_went_out(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    school = await committed_organization(backend)
    (alan,) = await backend.add_pupils(school.id, [Pupil("000000001AA")], T0)
    async with SqlUnitOfWork(engine) as uow:
        with statements_through_sqlalchemy(engine) as sent:
            before = await uow.students.stored_for_import(school.id)
        assert len(sent) == 1  # the transaction's first statement: SQLAlchemy sends its BEGIN with it
        await uow.students.disable_many(school.id, [alan.id], T0 + timedelta(hours=1))
        with statements_through_sqlalchemy(engine) as sent:
            after = await uow.students.stored_for_import(school.id)
        assert sent == []
        assert before["000000001AA"].disabled is False
        assert after["000000001AA"].disabled is True  # the transaction's own write, not committed
        assert after["000000001AA"].fields == before["000000001AA"].fields
    async with SqlUnitOfWork(engine) as uow:  # rolled back, as the transaction was not committed
        assert (await uow.students.stored_for_import(school.id))["000000001AA"].disabled is False


async def test_the_account_of_a_session_as_sqlalchemy_reads_it(engine: AsyncEngine) -> None:
    backend = SqlBackend(engine)
    ada = await committed_user(backend)
    async with SqlUnitOfWork(engine) as uow:
        await uow.sessions.open("s1", ada.id, T0, "h1", T0 + timedelta(days=1))
        await uow.users.accept_pix_orga_terms(ada.id, T0 + timedelta(hours=1))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:  # in a transaction: through SQLAlchemy
        expected = await uow.sessions.account_of("s1", ada.id)
    with statements_through_sqlalchemy(engine) as sent:
        async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
            direct = await uow.sessions.account_of("s1", ada.id)
            assert await uow.sessions.account_of("s1", ada.id + 1) is None
    assert sent == []
    assert direct == expected
    assert direct is not None and direct.pix_orga_terms_accepted_at is not None
    assert direct.pix_orga_terms_accepted_at.tzinfo is not None
