"""Shared fixtures. ``TEST_DATABASE=sqlite|postgresql`` picks the leg; each leg builds its
database with ``alembic upgrade head`` and empties it after every test that used it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.clock import Clock
from infrastructure.db.migrations import upgrade
from tests.support.databases import empty_all_tables, is_postgresql, throwaway_database
from tests.support.live_server import LiveServer, test_settings
from tests.support.siecle_samples import write_samples


def pytest_report_header() -> str:
    return f"database leg: {'postgresql' if is_postgresql() else 'sqlite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests (row locks, real concurrency) are deselected, not skipped, on SQLite."""
    if is_postgresql():
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgresql_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@pytest.fixture
def clean_database(database_url: str) -> Iterator[str]:
    yield database_url
    asyncio.run(empty_all_tables(database_url))


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[LiveServer]:
    server = LiveServer(test_settings(database_url)).start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server: LiveServer, clean_database: str) -> Iterator[LiveServer]:
    """The shared server, with an empty database and fresh rate-limit counters after the test."""
    yield live_server
    live_server.call(live_server.app.state.limiter.reset())


@pytest.fixture
def make_server(clean_database: str) -> Iterator[Callable[..., LiveServer]]:
    """A server of its own, with settings overridden for one test."""
    started: list[LiveServer] = []

    def make(*, clock: Clock | None = None, **overrides: Any) -> LiveServer:
        settings = test_settings(overrides.pop("database_url", clean_database), **overrides)
        server = LiveServer(settings, clock=clock).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture(scope="session")
def siecle_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory of the Lycée Pix sample exports (``tests/support/siecle_samples.py``)."""
    return write_samples(tmp_path_factory.mktemp("siecle"))
