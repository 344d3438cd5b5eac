"""Options read from the settings' URLs: database timeouts, the Redis key prefix of the rate
limits, the outbox lease (the fault tests in ``tests/faults/`` show what they are for)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from limits.aio.storage import MemoryStorage, RedisStorage

from infrastructure.db.engine import (
    COMMAND_TIMEOUT_S,
    CONNECT_TIMEOUT_S,
    POOL_SIZE,
    _pop_timeouts,
    async_url,
    create_engine,
)
from infrastructure.email.factory import build_dispatcher
from infrastructure.rate_limiting import storage_from_url
from tests.support.live_server import test_settings


def test_postgresql_connections_are_bounded_by_default() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1/pix")
    assert engine.url.query == {}
    assert engine.pool.timeout() == 30
    assert (engine.pool.size(), engine.pool._max_overflow) == (POOL_SIZE, 0)  # type: ignore[attr-defined]


def test_the_pool_size_comes_from_the_url_and_leaves_it() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1/pix?pool_size=35&application_name=pix")
    assert engine.url.query == {"application_name": "pix"}
    assert engine.pool.size() == 35  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", ["0", "-3", "2.5", "many", "501"])
def test_a_pool_size_that_is_not_a_sensible_whole_number_is_refused(size: str) -> None:
    with pytest.raises(ValueError, match="pool_size"):
        create_engine(f"postgresql://postgres@127.0.0.1/pix?pool_size={size}")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", (CONNECT_TIMEOUT_S, COMMAND_TIMEOUT_S)),
        ("?connect_timeout=1.5&command_timeout=2", (1.5, 2.0)),
        ("?command_timeout=60&application_name=pix", (CONNECT_TIMEOUT_S, 60.0)),
    ],
)
def test_timeouts_come_from_the_url_and_leave_it(query: str, expected: tuple[float, float]) -> None:
    url, timeouts = _pop_timeouts(async_url(f"postgresql://postgres@127.0.0.1/pix{query}"))
    assert (timeouts["timeout"], timeouts["command_timeout"]) == expected
    assert "connect_timeout" not in url.query and "command_timeout" not in url.query


@pytest.mark.parametrize("query", ["?connect_timeout=soon", "?command_timeout=0", "?command_timeout=-1"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        create_engine(f"postgresql://postgres@127.0.0.1/pix{query}")


def test_rate_limit_counters_take_the_key_prefix_of_the_redis_url() -> None:
    storage = storage_from_url("redis://127.0.0.1:6379/0?key_prefix=staging")
    assert isinstance(storage, RedisStorage)
    assert storage.bridge.key_prefix == "staging"
    assert "key_prefix" not in storage.bridge.uri
    assert isinstance(storage_from_url("memory://"), MemoryStorage)
    with pytest.raises(ValueError, match="key_prefix"):
        storage_from_url("memory://?key_prefix=staging")


def test_the_outbox_lease_is_a_setting() -> None:
    default = build_dispatcher(test_settings("sqlite:///:memory:"), create_engine("sqlite:///:memory:"))
    short = build_dispatcher(
        test_settings("sqlite:///:memory:", outbox_lease_seconds=2), create_engine("sqlite:///:memory:")
    )
    assert default._lease.duration == timedelta(minutes=5)
    assert short._lease.duration == timedelta(seconds=2)
