"""Searching for a typed text inside a column, where the typed %, _ and \\ stand for themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

_ESCAPE = "\\"


def contains(column: ColumnElement[Any], text: str, *, ignore_case: bool = False) -> ColumnElement[bool]:
    """LIKE '%text%' (ILIKE with ignore_case), the text's own wildcards escaped so that a search for "_"
    or "%" finds those characters instead of matching every row."""
    escaped = text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    pattern = f"%{escaped}%"
    if ignore_case:
        return column.ilike(pattern, escape=_ESCAPE)
    return column.like(pattern, escape=_ESCAPE)
