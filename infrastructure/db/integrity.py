"""Telling which unique index refused a row, or having a refused row skipped, on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError


def violates(error: IntegrityError, index_name: str, *sqlite_columns: str) -> bool:
    """PostgreSQL names the index; SQLite names the columns (``UNIQUE constraint failed: users.email``)."""
    message = str(error.orig)
    if index_name in message:
        return True
    return bool(sqlite_columns) and "UNIQUE constraint failed: " + ", ".join(sqlite_columns) in message


def insert_unless_taken(table: Table, *index_columns: str) -> dict[str, Any]:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING`` the row, by dialect name (on the unique index of
    ``index_columns``, or any): a row a unique index refuses is skipped, and the statement returns
    no row, where an error would abort the transaction. So a caller that goes on after a refusal
    needs no savepoint, whose ``SAVEPOINT`` and ``RELEASE`` round trips cost as much as the insert.
    On PostgreSQL, a row of the same key in a transaction not yet committed makes the insert wait
    for it, as the error did. Built once by the caller (building a statement cost as much as
    sending it)."""
    index_elements = list(index_columns) or None
    return {
        name: dialect_insert(table).on_conflict_do_nothing(index_elements=index_elements).returning(*table.c)
        for name, dialect_insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
    }
