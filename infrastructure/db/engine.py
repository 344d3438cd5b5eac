"""Async engine creation for the two supported databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, CursorResult, make_url
from sqlalchemy.engine.interfaces import CoreExecuteOptionsParameter, _CoreAnyExecuteParams
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable

SQLITE_BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 5.0
"""Connecting to PostgreSQL (asyncpg's default is 60 s)."""
COMMAND_TIMEOUT_S = 30.0
"""Any one statement, commit included; the longest ones, the batches of an import, take well
under a second. Migrations are not bound (``migrations/env.py``)."""
POOL_TIMEOUT_S = 30.0
"""Waiting for a free connection of the pool."""
POOL_SIZE = 20
"""Connections a process keeps open to PostgreSQL, and at most uses. No overflow above it: an
overflow connection is closed as soon as the pool has enough idle ones, so under a steady load of
more requests than the pool holds, connections were opened and closed all the time (a backend
started by PostgreSQL each time): 10 kept and 10 of overflow served 350 matches a second with a
p99 of 600 ms where 20 kept and none of overflow served 510 with a p99 of 270 ms
(``benchmarks/bench_joining.py``). ``?pool_size=`` in ``DATABASE_URL`` sets it: processes times
pool size must stay below the server's ``max_connections``."""
MAX_POOL_SIZE = 500


class RetryingConnection(Connection):
    """A connection whose first statement is sent again, once, on a fresh connection when the one the
    pool gave had been dropped by the server (a restart, an idle timeout, a killed backend).

    The pool does not ping a connection before lending it (three round trips a request); the first
    statement sent on it finds out instead. It is retried only when nothing can have been
    written: inside a transaction (the dropped connection took its transaction with it, uncommitted)
    or, outside one, when it is a ``SELECT``. Any later statement that loses its connection fails
    as before (503): what the transaction wrote until then is gone, and retrying only its last
    statement would commit half of it.

    This is the synchronous connection under ``AsyncConnection``: every statement passes through
    its ``execute``, those SQLAlchemy sends itself included (the ``SAVEPOINT`` of ``begin_nested``,
    which may well be a unit of work's first)."""

    _may_retry = True

    def execute(
        self,
        statement: Executable,
        parameters: _CoreAnyExecuteParams | None = None,
        *,
        execution_options: CoreExecuteOptionsParameter | None = None,
    ) -> CursorResult[Any]:
        if not self._may_retry:
            return super().execute(statement, parameters, execution_options=execution_options)
        self._may_retry = False
        in_transaction = self.in_transaction()
        try:
            return super().execute(statement, parameters, execution_options=execution_options)
        except DBAPIError as error:
            retry = error.connection_invalidated and (
                in_transaction or getattr(statement, "is_select", False)
            )
            if not retry:
                raise
        # The dropped connection is invalidated (and, the error being a disconnection, every pooled
        # connection older than it); forget its transaction and start again on a new one, at the
        # isolation level the dropped one was given (AUTOCOMMIT for a unit of work run a statement
        # at a time: without it, what that unit writes next would wait for a commit never sent).
        isolation_level = self.get_execution_options().get("isolation_level")
        self.rollback()
        if isolation_level is not None:
            self.execution_options(isolation_level=isolation_level)
        if in_transaction:
            self.begin()
        return super().execute(statement, parameters, execution_options=execution_options)


def _retrying(engine: AsyncEngine) -> AsyncEngine:
    """``engine``, its connections being ``RetryingConnection``s."""
    engine.sync_engine._connection_cls = RetryingConnection
    return engine


def async_url(database_url: str) -> URL:
    """``postgresql://`` and ``sqlite:///`` as users write them, with the async driver added."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return url.set(drivername="postgresql+asyncpg")
    if url.drivername in ("sqlite", "sqlite+aiosqlite"):
        return url.set(drivername="sqlite+aiosqlite")
    raise ValueError(f"unsupported database: {url.drivername}")


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(database_url: str, *, unbounded_statements: bool = False, **kwargs: Any) -> AsyncEngine:
    """``unbounded_statements``: no ``command_timeout`` (migrations may build large indexes)."""
    url = async_url(database_url)
    if is_sqlite(url):
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return _retrying(engine)
    url, timeouts = _pop_timeouts(url)
    url, pool_size = _pop_pool_size(url)
    if unbounded_statements:
        timeouts["command_timeout"] = None
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", 0)
    # No ping at checkout: it cost three round trips (BEGIN, a query, ROLLBACK) on every request.
    # A connection the server dropped is found out by its first statement, which is then sent again
    # on a new connection, once, when nothing can have been written (``RetryingConnection``).
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 1800)
    # The connection given back last is lent first: under a light load a few connections serve every
    # request, with their prepared statements and the server's caches warm, where going round all of
    # them made a rare request (an import) meet a connection that had never run its statements
    # (141 ms against 121 ms for a school's 2,000 pupils, ``benchmarks/bench_import.py``).
    kwargs.setdefault("pool_use_lifo", True)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    kwargs["connect_args"] = {**timeouts, **kwargs.get("connect_args", {})}
    return _retrying(create_async_engine(url, **kwargs))


def _pop_timeouts(url: URL) -> tuple[URL, dict[str, float | None]]:
    """``connect_timeout`` and ``command_timeout`` (seconds) from the URL's query, or the defaults.

    Without them a database that stops answering (a frozen server, a network partition: no
    refusal, no reset) holds each request forever; with them the request gets its 503 and the
    connection is dropped. asyncpg names the first ``timeout``.
    """
    query = dict(url.query)
    timeouts: dict[str, float | None] = {
        "timeout": _seconds(query.pop("connect_timeout", CONNECT_TIMEOUT_S), "connect_timeout"),
        "command_timeout": _seconds(query.pop("command_timeout", COMMAND_TIMEOUT_S), "command_timeout"),
    }
    return url.set(query=query), timeouts


def _pop_pool_size(url: URL) -> tuple[URL, int]:
    """``pool_size`` from the URL's query, or ``POOL_SIZE``."""
    query = dict(url.query)
    value = query.pop("pool_size", str(POOL_SIZE))
    if not isinstance(value, str) or not value.isdigit() or not 1 <= int(value) <= MAX_POOL_SIZE:
        raise ValueError(f"DATABASE_URL: pool_size must be a whole number from 1 to {MAX_POOL_SIZE}")
    return url.set(query=query), int(value)


def _seconds(value: object, name: str) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"DATABASE_URL: {name} must be a number of seconds") from None
    if not seconds > 0:
        raise ValueError(f"DATABASE_URL: {name} must be a positive number of seconds")
    return seconds


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Foreign keys on, WAL, and every transaction taking the write lock at BEGIN.

    SQLite upgrades a read transaction to a write one lazily and then fails at once with
    "database is locked" when another writer got there first; ``BEGIN IMMEDIATE`` waits
    for the lock instead (busy timeout), which also serialises imports per database, as
    the rules ask ("the write lock on SQLite").
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
