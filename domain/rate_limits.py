"""Counting failures (logins, identity matches) against the limits the rules set."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Limit(StrEnum):
    LOGIN_PER_LOGIN_AND_ADDRESS = "login_failures_per_login_and_address"
    LOGIN_PER_LOGIN = "login_failures_per_login"
    LOGIN_PER_ADDRESS = "login_failures_per_address"
    MATCH_PER_NAME = "match_failures_per_name"
    MATCH_PER_ADDRESS = "match_failures_per_address"


class FailureLimiter(Protocol):
    async def retry_after(self, limit: Limit, *key: str) -> int | None:
        """Seconds to wait when the limit is already reached for that key, else None."""
        ...

    async def record_failure(self, limit: Limit, *key: str) -> None: ...
