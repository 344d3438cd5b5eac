"""What the rate-limit counters store: never a login, an e-mail address or a client address in clear."""

from __future__ import annotations

import asyncio

from limits.aio.storage import MemoryStorage

from api.bootstrap import build_limiter
from domain.rate_limits import Limit
from tests.support.live_server import test_settings

SECRETS_OF_PEOPLE = ("marie.curie@ac-paris.fr", "alan.turing2306", "203.0.113.7")


def test_counters_are_kept_under_keyed_hashes_and_still_count() -> None:
    limiter = build_limiter(test_settings("sqlite://", password_reset_requests_per_email="2/hour"))

    async def scenario() -> list[int | None]:
        for _ in range(2):
            await limiter.record(Limit.PASSWORD_RESET_REQUESTS_PER_EMAIL, "marie.curie@ac-paris.fr")
        await limiter.record(Limit.LOGIN_PER_LOGIN_AND_ADDRESS, "alan.turing2306", "203.0.113.7")
        return [
            await limiter.retry_after(Limit.PASSWORD_RESET_REQUESTS_PER_EMAIL, "marie.curie@ac-paris.fr"),
            await limiter.retry_after(Limit.PASSWORD_RESET_REQUESTS_PER_EMAIL, "someone.else@ac-paris.fr"),
        ]

    blocked, other = asyncio.run(scenario())

    assert blocked is not None and other is None
    storage = limiter.storage
    assert isinstance(storage, MemoryStorage)
    stored = " ".join(storage.events) + " ".join(storage.storage)
    assert "password_reset_requests_per_email" in stored
    assert [secret for secret in SECRETS_OF_PEOPLE if secret in stored] == []


def test_a_limit_counting_every_request_admits_exactly_its_number_at_once() -> None:
    limiter = build_limiter(test_settings("sqlite://", signups_per_address="20/hour"))

    async def burst() -> list[int | None]:
        return list(
            await asyncio.gather(
                *(limiter.try_acquire(Limit.SIGNUPS_PER_ADDRESS, "203.0.113.7") for _ in range(50))
            )
        )

    answers = asyncio.run(burst())
    assert answers.count(None) == 20
    assert all(0 < wait <= 3600 for wait in answers if wait is not None)


def test_attempts_under_one_key_run_one_at_a_time_and_leave_no_lock_behind() -> None:
    limiter = build_limiter(test_settings("sqlite://"))
    running: list[str] = []
    overlaps: list[list[str]] = []
    keys = {
        "ada": [(Limit.LOGIN_PER_LOGIN, ("ada",))],
        "ada+address": [(Limit.LOGIN_PER_ADDRESS, ("203.0.113.7",)), (Limit.LOGIN_PER_LOGIN, ("ada",))],
        "bob": [(Limit.LOGIN_PER_LOGIN, ("bob",))],
    }

    async def attempt(name: str) -> None:
        async with limiter.exclusive(keys[name]):
            running.append(name)
            overlaps.append(sorted(running))
            await asyncio.sleep(0)  # lets the others run: they must wait for the shared key
            running.remove(name)

    async def scenario() -> None:
        await asyncio.gather(*(attempt(name) for name in ["ada", "ada+address", "bob"] * 5))

    asyncio.run(scenario())
    assert not any({"ada", "ada+address"} <= set(names) for names in overlaps)
    assert any(len(names) == 2 for names in overlaps)  # "bob" ran beside the others
    assert len(limiter.locks) == 0
