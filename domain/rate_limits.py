"""Counting events (failed logins, identity matches not found, e-mail requests, sign-ups) against limits."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from domain.errors import TooManyRequests


class Limit(StrEnum):
    """Each value names the setting that holds the limit's numbers."""

    LOGIN_PER_LOGIN_AND_ADDRESS = "login_failures_per_login_and_address"
    LOGIN_PER_LOGIN = "login_failures_per_login"
    LOGIN_PER_ADDRESS = "login_failures_per_address"
    MATCH_PER_NAME = "match_failures_per_name"
    MATCH_PER_ADDRESS = "match_failures_per_address"
    PASSWORD_RESET_REQUESTS_PER_ADDRESS = "password_reset_requests_per_address"  # noqa: S105
    PASSWORD_RESET_REQUESTS_PER_EMAIL = "password_reset_requests_per_email"  # noqa: S105
    SCO_ACTIVATION_REQUESTS_PER_ADDRESS = "sco_activation_requests_per_address"
    SIGNUPS_PER_ADDRESS = "signups_per_address"


class RateLimiter(Protocol):
    async def retry_after(self, limit: Limit, *key: str) -> int | None:
        """Seconds to wait when the limit is already reached for that key, else None."""
        ...

    async def record(self, limit: Limit, *key: str) -> None:
        """Count one more event (a failure, or a request) under the limit."""
        ...


LimitKey = tuple[Limit, tuple[str, ...]]


async def refuse_when_reached(limiter: RateLimiter, keys: Iterable[LimitKey]) -> None:
    """Raises TooManyRequests, with the wait of the first limit already reached, before any work is done."""
    for limit, key in keys:
        retry_after = await limiter.retry_after(limit, *key)
        if retry_after is not None:
            raise TooManyRequests(retry_after=retry_after)


async def record_all(limiter: RateLimiter, keys: Iterable[LimitKey]) -> None:
    """Counts one event under each of the limits."""
    for limit, key in keys:
        await limiter.record(limit, *key)
