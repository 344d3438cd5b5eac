"""A read sent to asyncpg as SQLAlchemy compiled it, on the connection SQLAlchemy lent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

Row: TypeAlias = Sequence[Any]
"""A row read by position (an asyncpg record or a SQLAlchemy row)."""


class DirectRead:
    """A ``SELECT`` run on every request of a busy route, compiled once for PostgreSQL and sent to
    asyncpg as is: SQLAlchemy's execution of a statement (its context, its result, the hops between
    greenlet and event loop) costs about as much CPU as asyncpg's own work for it
    (``benchmarks/bench_joining.py``).

    Only the way in is direct. When asyncpg raises anything but a timeout, the statement is run
    again through SQLAlchemy, a read being harmless to repeat: a connection the server dropped is
    then found out and replaced, once (``RetryingConnection``), and any other error is raised as
    SQLAlchemy raises it, which the API maps (422, 503). A timeout is raised as it is (an
    ``OSError``, 503) rather than waited for twice.

    Direct outside a transaction (a connection in ``AUTOCOMMIT``, as a unit of work run a statement
    at a time holds), and in a transaction once its ``BEGIN`` has gone out: SQLAlchemy sends it with
    the transaction's first statement, which a direct read would go before, so a first statement
    goes through SQLAlchemy. In a transaction the retry cannot replace the connection: an error
    leaves the transaction aborted, and the statement run again raises it as SQLAlchemy does. On
    SQLite, it is an ordinary execution.

    The rows are asyncpg's records, read by position. No SQLAlchemy type processes their values, so
    the statement's columns must need none on PostgreSQL: ``UTCDateTime`` needs none there, asyncpg
    reading a ``timestamptz`` as an aware datetime in UTC."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: tuple[str, tuple[str, ...]] | None = None

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
        if self._compiled is None:
            compiled = self.statement.compile(dialect=dialect)
            self._compiled = (str(compiled), tuple(compiled.positiontup or ()))
        return self._compiled

    async def rows(self, connection: AsyncConnection, parameters: Mapping[str, Any]) -> Sequence[Row]:
        synchronous = connection.sync_connection
        if synchronous is None or synchronous.dialect.name != "postgresql":
            return await self._through_sqlalchemy(connection, parameters)
        driver: Any = (await connection.get_raw_connection()).driver_connection
        autocommit = synchronous.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if not autocommit and not driver.is_in_transaction():
            return await self._through_sqlalchemy(connection, parameters)
        sql, order = self._compile(connection.dialect)
        try:
            records: list[Row] = await driver.fetch(sql, *(parameters[name] for name in order))
        except TimeoutError:
            raise
        except Exception:
            return await self._through_sqlalchemy(connection, parameters)
        return records

    async def _through_sqlalchemy(
        self, connection: AsyncConnection, parameters: Mapping[str, Any]
    ) -> Sequence[Row]:
        rows: Sequence[Row] = (await connection.execute(self.statement, parameters)).all()
        return rows


class ByName:
    """A row's columns read by name, as the ``*_from_row`` functions read them, but found by
    position (``positions``: a column's name, as the functions know it, to its position): a row's
    own lookup by name cost more than the rest of decoding, and an asyncpg record has none by
    attribute."""

    __slots__ = ("_positions", "_row")

    def __init__(self, row: Row, positions: Mapping[str, int]) -> None:
        self._row, self._positions = row, positions

    def __getattr__(self, name: str) -> Any:
        return self._row[self._positions[name]]
