"""Throw-away databases for the tests: a SQLite file, or a PostgreSQL database created on the
local server from ``TEST_DATABASE_URL`` and dropped at the end (it never touches other data)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.engine import create_engine
from infrastructure.db.tables import metadata

TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def is_postgresql() -> bool:
    return TEST_DATABASE == "postgresql"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(ADMIN_URL))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def throwaway_database(directory: Path) -> Iterator[str]:
    """A new, empty database; its URL as users write it (``sqlite:///…``/``postgresql://…``)."""
    if not is_postgresql():
        yield f"sqlite:///{directory / f'test-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"pix_orga_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def empty_all_tables(database_url: str) -> None:
    """Between tests: every table emptied and its ids restarted, the schema kept."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            names = [table.name for table in reversed(metadata.sorted_tables)]
            if engine.dialect.name == "postgresql":
                await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            else:
                for name in names:
                    await connection.execute(text(f"DELETE FROM {name}"))
    finally:
        await engine.dispose()


async def until_a_transaction_waits_on_a_lock(engine: AsyncEngine, timeout: float = 30) -> None:
    """Polls until a transaction of this database waits on a lock (a deadline, not a sleep the test
    relies on): a second writer of the same unique key then waits for the first transaction."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while True:
        async with engine.connect() as connection:
            if (await connection.execute(query)).scalar():
                return
        assert time.monotonic() < deadline, "the second request never waited for the first"
        await asyncio.sleep(0.01)
