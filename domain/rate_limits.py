"""Counting events (failed logins, identity matches not found, e-mail requests, sign-ups) against limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
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
    ACCOUNT_RECOVERY_REQUESTS_PER_ADDRESS = "account_recovery_requests_per_address"
    ACCOUNT_RECOVERY_EMAILS_PER_ACCOUNT = "account_recovery_emails_per_account"
    ACCOUNT_RECOVERY_EMAILS_PER_EMAIL = "account_recovery_emails_per_email"
    API_CLIENT_REQUESTS = "api_client_requests_per_client"
    API_CLIENT_TOKENS = "api_client_tokens_per_client"
    API_CLIENT_TOKEN_FAILURES_PER_ADDRESS = "api_client_token_failures_per_address"  # noqa: S105


LimitKey = tuple[Limit, tuple[str, ...]]


class RateLimiter(Protocol):
    async def retry_after(self, limit: Limit, *key: str) -> int | None:
        """Seconds to wait when the limit is already reached for that key, else None."""
        ...

    async def record(self, limit: Limit, *key: str) -> None:
        """Count one more failure under the limit."""
        ...

    async def try_acquire(self, limit: Limit, *key: str) -> int | None:
        """Counts one more request unless the limit is reached, in one atomic step: None when
        counted, else the seconds to wait (nothing counted). For the limits counting every request."""
        ...

    def exclusive(self, keys: Sequence[LimitKey]) -> AbstractAsyncContextManager[None]:
        """Holds the attempts under any of these keys one at a time, within the process, while the
        block runs: a limit counting failures is checked, the work done and the failure recorded
        before the next attempt under the same key is checked, so concurrent attempts cannot all
        pass the check before the first failure is counted."""
        ...


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


async def acquire_all(limiter: RateLimiter, keys: Iterable[LimitKey]) -> None:
    """Counts one request under each limit, each checked and counted in one atomic step, so that
    concurrent requests cannot all pass a check; raises TooManyRequests at the first one reached."""
    for limit, key in keys:
        retry_after = await limiter.try_acquire(limit, *key)
        if retry_after is not None:
            raise TooManyRequests(retry_after=retry_after)
