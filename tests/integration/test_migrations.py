"""The migrations are the schema (docs/architecture.md, rule 10): every revision goes up and down on
the database of the current leg, and the SQLAlchemy tables agree with what the revisions build."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from infrastructure.db.engine import create_engine
from infrastructure.db.migrations import alembic_config, downgrade, upgrade
from infrastructure.db.tables import metadata
from tests.support.databases import throwaway_database

T = TypeVar("T")
Schema = dict[str, Any]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    with throwaway_database(tmp_path) as url:
        yield url


def revisions_from_base(url: str) -> list[tuple[str, str | None]]:
    """``(revision, the one below)`` in the order ``upgrade`` applies them, on one straight line."""
    scripts = ScriptDirectory.from_config(alembic_config(url))
    assert len(scripts.get_heads()) == 1, f"several heads, merge them: {scripts.get_heads()}"
    steps = []
    for script in reversed(list(scripts.walk_revisions())):
        below = script.down_revision
        assert below is None or isinstance(below, str), f"{script.revision} merges {below}: walk it by hand"
        steps.append((script.revision, below))
    assert steps, "no migration found"
    return steps


def run_sync(url: str, work: Callable[[Connection], T]) -> T:
    """``work`` on a synchronous connection of the service's own async engine."""

    async def run() -> T:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def current_revision(url: str) -> str | None:
    return run_sync(url, lambda connection: MigrationContext.configure(connection).get_current_revision())


def predicate(where: object) -> str | None:
    """A partial index's ``WHERE`` in a comparable form: PostgreSQL gives it back with casts and
    parentheses (``((status)::text = 'PENDING'::text)``), the tables as written (``status = 'PENDING'``)."""
    if where is None:
        return None
    parts = re.split(r"('(?:[^']|'')*')", str(where))  # string literals keep their case
    text = "".join(part if part.startswith("'") else part.lower() for part in parts)
    text = re.sub(r"::(?:character varying|double precision|[a-z_]+)", "", text)
    return " ".join(text.replace("(", " ").replace(")", " ").split())


def schema_of(url: str) -> Schema:
    """Tables, columns, keys and indexes as the database reports them (``alembic_version`` aside)."""

    def read(connection: Connection) -> Schema:
        inspector = inspect(connection)
        schema: Schema = {}
        for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
            schema[table] = {
                "columns": [
                    (column["name"], str(column["type"]), column["nullable"])
                    for column in inspector.get_columns(table)
                ],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (
                        index["name"] or "",
                        tuple(str(c) for c in index["column_names"]),
                        bool(index["unique"]),
                        predicate(index.get("dialect_options", {}).get(f"{connection.dialect.name}_where")),
                    )
                    for index in inspector.get_indexes(table)
                ),
            }
        return schema

    return run_sync(url, read)


def test_every_revision_goes_up_and_down_one_step_at_a_time(empty_database: str) -> None:
    url = empty_database
    steps = revisions_from_base(url)
    assert schema_of(url) == {}, "a throw-away database should start empty"

    # Up, one revision at a time, remembering the schema each step leaves.
    schema_after: dict[str | None, Schema] = {None: {}}
    for revision, _below in steps:
        upgrade(url, revision)
        assert current_revision(url) == revision, f"upgrade to {revision} did not record it"
        schema_after[revision] = schema_of(url)

    # Down, one revision at a time: each step gives back exactly the schema of the step below.
    for revision, below in reversed(steps):
        downgrade(url, below or "base")
        assert current_revision(url) == below, f"downgrade of {revision} went astray"
        assert schema_of(url) == schema_after[below], (
            f"downgrading {revision} does not restore the schema of {below or 'base'}"
        )

    # And up again to the head, from nothing.
    head = steps[-1][0]
    upgrade(url, "head")
    assert current_revision(url) == head
    assert schema_of(url) == schema_after[head]


def test_the_tables_and_the_migrations_agree(empty_database: str) -> None:
    url = empty_database
    upgrade(url, "head")

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    diff = run_sync(url, differences)
    assert diff == [], (
        "infrastructure/db/tables and migrations/versions disagree; write a revision "
        "(or fix the tables) until autogenerate finds nothing:\n" + "\n".join(map(repr, diff))
    )
    tables = set(run_sync(url, lambda connection: inspect(connection).get_table_names()))
    assert tables - {"alembic_version"} == set(metadata.tables)


def test_partial_indexes_have_the_predicate_of_the_tables(empty_database: str) -> None:
    """Autogenerate does not compare the ``WHERE`` of partial indexes: this test does."""
    url = empty_database
    upgrade(url, "head")
    dialect = run_sync(url, lambda connection: connection.dialect.name)
    expected = {
        (table.name, index.name): predicate(index.dialect_kwargs.get(f"{dialect}_where"))
        for table in metadata.tables.values()
        for index in table.indexes
    }
    actual = {
        (table, name): where
        for table, description in schema_of(url).items()
        for name, _columns, _unique, where in description["indexes"]
    }
    mismatches = {
        key: (where, actual.get(key)) for key, where in expected.items() if actual.get(key) != where
    }
    assert not mismatches, f"(table, index): (predicate in the tables, in the database): {mismatches}"
