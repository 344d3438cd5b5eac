"""Failure counters on the ``limits`` library: memory in one process, Redis when scaled out."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from domain.rate_limits import Limit


def async_storage_url(url: str) -> str:
    """``limits`` names its async storages ``async+memory://``, ``async+redis://``."""
    return url if url.startswith("async+") else f"async+{url}"


def storage_from_url(url: str) -> Storage:
    """The async storage of ``RATE_LIMIT_STORAGE_URL``. On Redis, ``?key_prefix=…`` names the
    counters' keys (default ``LIMITS``), so that several deployments, or tests, share one Redis
    without sharing counters; ``reset()`` deletes the keys of that prefix only."""
    parts = urlsplit(async_storage_url(url))
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [value for name, value in query if name == "key_prefix"]
    options = {"key_prefix": prefixes[-1]} if prefixes else {}
    if options and "redis" not in parts.scheme:
        raise ValueError("key_prefix is an option of redis:// storages only")
    rest = urlencode([(name, value) for name, value in query if name != "key_prefix"])
    storage = storage_from_string(urlunsplit(parts._replace(query=rest)), **options)
    assert isinstance(storage, Storage)
    return storage


class LimitsRateLimiter:
    def __init__(
        self, storage_url: str, limits_by_name: dict[Limit, str], *, key_secret: str, enabled: bool = True
    ) -> None:
        self.storage = storage_from_url(storage_url)
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._items: dict[Limit, RateLimitItem] = {name: parse(text) for name, text in limits_by_name.items()}
        self._key_secret = key_secret.encode()
        self._enabled = enabled

    def _hidden(self, key: tuple[str, ...]) -> str:
        """A counter's key as the storage sees it: logins, e-mail addresses and client addresses
        never reach it (Redis) in clear, only their keyed hash."""
        return hmac.new(self._key_secret, "\x1f".join(key).encode(), hashlib.sha256).hexdigest()

    async def retry_after(self, limit: Limit, *key: str) -> int | None:
        if not self._enabled:
            return None
        item = self._items[limit]
        if await self._strategy.test(item, limit.value, self._hidden(key)):
            return None
        stats = await self._strategy.get_window_stats(item, limit.value, self._hidden(key))
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def record(self, limit: Limit, *key: str) -> None:
        if self._enabled:
            await self._strategy.hit(self._items[limit], limit.value, self._hidden(key))

    async def reset(self) -> None:
        await self.storage.reset()
