"""``backend``: each contract case runs once on the fakes and once on the SQL repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from infrastructure.db.engine import create_engine
from tests.contract.backends import Backend, FakeBackend, SqlBackend


@pytest.fixture(params=["fake", "sql"])
def backend_database(request: pytest.FixtureRequest) -> str | None:
    """The URL of the emptied test database for the SQL leg, None for the fakes."""
    return request.getfixturevalue("clean_database") if request.param == "sql" else None


@pytest_asyncio.fixture(loop_scope="function")
async def backend(backend_database: str | None) -> AsyncIterator[Backend]:
    if backend_database is None:
        yield FakeBackend()
        return
    engine = create_engine(backend_database)
    yield SqlBackend(engine)
    await engine.dispose()
