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
