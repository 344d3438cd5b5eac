"""Telling a lost database (503, retry later) and a value the database cannot hold (422) from a
bug (500)."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes of a server that is going away or refusing connections.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")

# SQLSTATE class 22, "data exception": a number out of range, a NUL or invalid character in a text.
INVALID_VALUE_SQLSTATE_CLASS = "22"

DATABASE_EXCEPTIONS: tuple[type[Exception], ...] = (StatementError, PoolTimeout, OSError, OverflowError)
SQLITE_OVERFLOW = "too large to convert to SQLite INTEGER"


def _sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        sqlstate = getattr(candidate, "sqlstate", None)
        if isinstance(sqlstate, str):
            return sqlstate
    return None


def is_invalid_value(error: BaseException) -> bool:
    """A value from the request that the database cannot store or compare: an id beyond its
    integer range, a NUL character in a text. It is the client's input, not a bug (422)."""
    if isinstance(error, DataError):
        return True
    overflow = error.orig if isinstance(error, StatementError) else error
    if isinstance(overflow, OverflowError) and SQLITE_OVERFLOW in str(overflow):
        return True  # raised by sqlite3 itself, sometimes unwrapped by the aiosqlite adapter
    sqlstate = _sqlstate(error)
    return sqlstate is not None and sqlstate.startswith(INVALID_VALUE_SQLSTATE_CLASS)


def is_database_unavailable(error: BaseException) -> bool:
    if isinstance(error, PoolTimeout | OSError | InterfaceError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or getattr(
            getattr(error.orig, "__cause__", None), "sqlstate", None
        )
        if isinstance(sqlstate, str) and sqlstate.startswith(UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(error, OperationalError):
            text = str(error.orig).lower()
            # SQLite: the file cannot be opened or the disk is gone; "locked" is handled by the busy timeout.
            return "unable to open" in text or "disk i/o" in text or "connection" in text
    return False
