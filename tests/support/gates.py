"""A gate on a PostgreSQL table: hold the writes of a request at a known point, without sleeping.

``async with table_gate(url, "student_imports") as gate`` takes ``LOCK TABLE … IN EXCLUSIVE
MODE`` in a transaction of the test: reads go on, every ``INSERT`` into the table waits. An
import writes its students and then its ``student_imports`` row, so it waits there, inside its
transaction, with its advisory lock held and everything written but not committed.
``await gate.waiting()`` tells how many transactions wait on the gate; ``gate.open()`` (or
leaving the block) lets them go on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class TableGate:
    def __init__(self, connection: asyncpg.Connection, table: str) -> None:
        self._connection = connection
        self._table = table
        self._transaction = connection.transaction()
        self._shut = False

    async def shut(self) -> None:
        await self._transaction.start()
        self._shut = True
        await self._connection.execute(f"LOCK TABLE {self._table} IN EXCLUSIVE MODE")

    async def open(self) -> None:
        if self._shut:
            self._shut = False
            await self._transaction.rollback()

    async def waiting(self) -> int:
        """Transactions of this database waiting for the gate."""
        value = await self._connection.fetchval(
            """
            SELECT count(*) FROM pg_locks
            WHERE NOT granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND relation = $1::regclass
            """,
            self._table,
        )
        return int(value)

    async def wait_until(self, condition: Callable[[int], bool], timeout: float = 30) -> int:
        """Poll until ``condition(waiting)`` holds (a deadline, not a sleep the test relies on)."""
        deadline = time.monotonic() + timeout
        while not condition(waiting := await self.waiting()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{waiting} transaction(s) waiting at the gate after {timeout} s")
            await asyncio.sleep(0.02)
        return waiting


@asynccontextmanager
async def table_gate(database_url: str, table: str) -> AsyncIterator[TableGate]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    gate = TableGate(connection, table)
    try:
        await gate.shut()
        yield gate
    finally:
        try:
            await gate.open()
        finally:
            await connection.close()
