"""Rows that concurrent units of work each insert, on their own connection, written together."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Insert


class _State(enum.Enum):
    WAITING = enum.auto()
    WRITTEN = enum.auto()
    NOT_WRITTEN = enum.auto()


class _Rows:
    __slots__ = ("rows", "state")

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.state = _State.WAITING


class GroupedInsert:
    """A group commit for one ``INSERT`` made by concurrent callers, each on its own connection.

    Under load, every identity match ends with a one-row insert of its decision: a round trip, a
    statement and, outside a transaction, a commit (a flush of PostgreSQL's log) each. Here the
    first caller writes its rows at once; whoever calls while that write is on its way waits, and
    the first of them to wake writes the rows of all who waited, in one round trip on its own
    connection. A caller returns only once its rows are written, as it did writing them alone:
    grouping saves round trips, never the guarantee that a decision is recorded before the pupil
    gets the answer.

    A group is written all or nothing. When its write fails, every caller of the group writes its
    own rows again, alone, on its own connection: what one caller's rows or dropped connection
    break fails that caller only. Should a writer be cancelled after the server ran its statement,
    the others write their rows again all the same, and they are recorded twice.

    It holds no connection of its own, so it never waits for the pool its callers' connections
    fill. Nothing is bound to an event loop while no write is under way."""

    def __init__(self, statement: Insert) -> None:
        self._statement = statement
        self._waiting: list[_Rows] = []
        self._written: asyncio.Event | None = None
        """Set when the write under way ends; ``None`` while none is."""

    async def insert(self, connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        mine = _Rows(rows)
        self._waiting.append(mine)
        while self._written is not None and mine.state is _State.WAITING:
            await self._written.wait()
        if mine.state is _State.WRITTEN:
            return
        if mine.state is _State.NOT_WRITTEN:
            await self._execute(connection, mine.rows)
            return
        group, self._waiting = self._waiting, []
        written = self._written = asyncio.Event()
        try:
            await self._execute(connection, [row for each in group for row in each.rows])
        except Exception:
            self._end(group, _State.NOT_WRITTEN, written)
            if len(group) == 1:
                raise
            await self._execute(connection, mine.rows)
            return
        except BaseException:
            self._end(group, _State.NOT_WRITTEN, written)
            raise
        self._end(group, _State.WRITTEN, written)

    def _end(self, group: list[_Rows], outcome: _State, written: asyncio.Event) -> None:
        for each in group:
            each.state = outcome
        self._written = None
        written.set()

    async def _execute(self, connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
        # One round trip either way: a list goes as one executemany, all or nothing.
        await connection.execute(self._statement, rows[0] if len(rows) == 1 else rows)
