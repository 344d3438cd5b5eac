"""Failure counters on the ``limits`` library: memory in one process, Redis when scaled out."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
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


@dataclass
class _HeldLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class KeyedLocks:
    """One asyncio lock per name, created when first wanted and dropped when nobody holds or
    awaits it. Several names are taken in sorted order, so two holders never wait for each other."""

    def __init__(self) -> None:
        self._held: dict[str, _HeldLock] = {}

    @asynccontextmanager
    async def hold(self, names: Sequence[str]) -> AsyncIterator[None]:
        wanted = sorted(set(names))
        entries = [self._held.setdefault(name, _HeldLock()) for name in wanted]
        for entry in entries:
            entry.users += 1
        taken: list[asyncio.Lock] = []
        try:
            for entry in entries:
                await entry.lock.acquire()
                taken.append(entry.lock)
            yield
        finally:
            for lock in reversed(taken):
                lock.release()
            for name, entry in zip(wanted, entries, strict=True):
                entry.users -= 1
                if entry.users == 0:
                    del self._held[name]

    def __len__(self) -> int:
        return len(self._held)


class LimitsRateLimiter:
    def __init__(
        self, storage_url: str, limits_by_name: dict[Limit, str], *, key_secret: str, enabled: bool = True
    ) -> None:
        self.storage = storage_from_url(storage_url)
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._items: dict[Limit, RateLimitItem] = {name: parse(text) for name, text in limits_by_name.items()}
        self._key_secret = key_secret.encode()
        self._enabled = enabled
        self.locks = KeyedLocks()

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
        return await self._seconds_to_wait(item, limit, key)

    async def _seconds_to_wait(self, item: RateLimitItem, limit: Limit, key: tuple[str, ...]) -> int:
        stats = await self._strategy.get_window_stats(item, limit.value, self._hidden(key))
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def record(self, limit: Limit, *key: str) -> None:
        if self._enabled:
            await self._strategy.hit(self._items[limit], limit.value, self._hidden(key))

    async def try_acquire(self, limit: Limit, *key: str) -> int | None:
        if not self._enabled:
            return None
        item = self._items[limit]
        # The moving window's hit() checks and counts in one step (a lock in memory, a Lua script
        # on Redis), and counts nothing at the limit.
        if await self._strategy.hit(item, limit.value, self._hidden(key)):
            return None
        return await self._seconds_to_wait(item, limit, key)

    def exclusive(self, keys: Sequence[tuple[Limit, tuple[str, ...]]]) -> AbstractAsyncContextManager[None]:
        # Within this process only: with several processes on Redis, each may have one attempt in
        # flight per key past the check, so a limit may be passed by one attempt per process.
        return self.locks.hold([f"{limit.value}:{self._hidden(key)}" for limit, key in keys])

    async def reset(self) -> None:
        await self.storage.reset()
