"""``engine``: an engine on the emptied test database; ``clock``: a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.engine import create_engine
from tests.support.clocks import FakeClock


@pytest_asyncio.fixture(loop_scope="function")
async def engine(clean_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(clean_database)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
