"""Telling which unique index refused a row, on both databases."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError


def violates(error: IntegrityError, index_name: str, *sqlite_columns: str) -> bool:
    """PostgreSQL names the index; SQLite names the columns (``UNIQUE constraint failed: users.email``)."""
    message = str(error.orig)
    if index_name in message:
        return True
    return bool(sqlite_columns) and "UNIQUE constraint failed: " + ", ".join(sqlite_columns) in message
