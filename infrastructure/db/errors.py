"""Telling a lost database (503, retry later) from a bug (500)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes of a server that is going away or refusing connections.
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")

DATABASE_EXCEPTIONS: tuple[type[Exception], ...] = (DBAPIError, PoolTimeout, OSError)


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
