"""The pool lends connections without pinging them: a connection the server dropped (a restart, an
idle timeout, an operator's ``pg_terminate_backend``) is found out by the first statement of a unit of
work, which is then sent again, once, on a new connection. Only then: a connection lost after the
unit of work has written is not retried, and what it wrote is gone with its transaction.

The server's backends are killed between requests with ``pg_terminate_backend``, as an operator
would; the next request must not notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.engine import create_engine
from infrastructure.db.tables import users
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.support.api import API, admin_of_new_organization, bearer, db_execute
from tests.support.campaigns import create_account, create_campaign, match, participate
from tests.support.students import insert_student

pytestmark = pytest.mark.postgresql_only

KILL_OTHERS = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
)


def kill_every_other_backend(database_url: str) -> int:
    (row,) = db_execute(database_url, KILL_OTHERS)
    return int(row[0])


def decisions_recorded(database_url: str) -> int:
    (row,) = db_execute(database_url, "SELECT count(*) FROM identity_match_decisions")
    return int(row[0])


def test_requests_after_the_servers_connections_were_killed_succeed(client: httpx.Client, server) -> None:
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(client, database_url)
    code = create_campaign(client, admin, org["id"])["code"]
    insert_student(database_url, org["id"], national_student_id="123456789AD")
    assert match(client, code, "Alan", "Turing", "2002-06-23").status_code == 200

    assert kill_every_other_backend(database_url) >= 1
    # A match (reads at once, then writes its decision, no transaction around them), its decision
    # recorded: the new connection runs without a transaction too...
    assert match(client, code, "Alan", "Turing", "2002-06-23").status_code == 200
    assert decisions_recorded(database_url) == 2
    assert kill_every_other_backend(database_url) >= 1
    # ...an account creation (one transaction writing several tables)...
    created = create_account(client, code, "Alan", "Turing", "2002-06-23")
    assert created.status_code == 201, created.text
    assert kill_every_other_backend(database_url) >= 1
    # ...and an authenticated request.
    assert participate(client, code, created.json()["access_token"]).status_code == 201
    assert kill_every_other_backend(database_url) >= 1
    assert client.get(f"{API}/organizations/{org['id']}", headers=bearer(admin)).status_code == 200


@pytest_asyncio.fixture(loop_scope="function")
async def engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(clean_database, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


def user_row(username: str) -> dict[str, object]:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "username": username,
        "password_hash": "hash:secret",
        "created_at": now,
        "updated_at": now,
        "locale": "fr",
    }


async def kill_others(database_url: str) -> int:
    killer = create_engine(database_url, pool_size=1)
    try:
        async with killer.begin() as connection:
            return int((await connection.execute(text(KILL_OTHERS))).scalar_one())
    finally:
        await killer.dispose()


async def kill_pooled_connection(engine: AsyncEngine, clean_database: str) -> None:
    async with engine.connect() as connection:  # the pool's one connection, given back at once
        await connection.execute(text("SELECT 1"))
    assert await kill_others(clean_database) >= 1


async def count_users(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(users))).scalar_one())


async def test_the_first_statement_of_a_transaction_is_retried(
    engine: AsyncEngine, clean_database: str
) -> None:
    await kill_pooled_connection(engine, clean_database)
    async with SqlUnitOfWork(engine) as uow:
        await uow.connection.execute(insert(users).values(user_row("ada.lovelace1012")))
        await uow.commit()
    assert await count_users(engine) == 1


async def test_a_savepoint_opening_the_transaction_is_retried(
    engine: AsyncEngine, clean_database: str
) -> None:
    # SQLAlchemy sends the SAVEPOINT of ``begin_nested`` itself: the retry must see it too, as the
    # first statement of a unit of work that adds a row and catches its unique violation.
    await kill_pooled_connection(engine, clean_database)
    async with SqlUnitOfWork(engine) as uow:
        async with uow.connection.begin_nested():
            await uow.connection.execute(insert(users).values(user_row("ada.lovelace1012")))
        await uow.commit()
    assert await count_users(engine) == 1


async def test_a_statement_after_a_write_is_not_retried(engine: AsyncEngine, clean_database: str) -> None:
    with pytest.raises(DBAPIError) as lost:
        async with SqlUnitOfWork(engine) as uow:
            await uow.connection.execute(insert(users).values(user_row("ada.lovelace1012")))
            assert await kill_others(clean_database) >= 1
            await uow.connection.execute(insert(users).values(user_row("grace.hopper0912")))
    assert lost.value.connection_invalidated
    assert await count_users(engine) == 0  # the first write went with its transaction


async def test_without_a_transaction_only_a_read_is_retried(engine: AsyncEngine, clean_database: str) -> None:
    await kill_pooled_connection(engine, clean_database)
    async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
        assert (await uow.connection.execute(select(func.count()).select_from(users))).scalar_one() == 0
    await kill_pooled_connection(engine, clean_database)
    with pytest.raises(DBAPIError) as lost:
        async with SqlUnitOfWork(engine, statement_at_a_time=True) as uow:
            # Sent without a transaction, a write may have been applied before the connection was
            # lost: it is never sent again.
            await uow.connection.execute(insert(users).values(user_row("ada.lovelace1012")))
    assert lost.value.connection_invalidated
    assert await count_users(engine) == 0
