"""Password hashing with argon2id through passlib, off the event loop.

Parameters: OWASP's argon2id minimum (19 MiB, t=2, p=1). Measured on this machine (2 cores):
about 16 ms a hash when it is quiet and 23 to 26 ms while the test suite runs beside it, against
87 ms (quiet) and 166 ms (loaded) for passlib's defaults (64 MiB, t=3, p=4). With hashing
confined to a limiter of one thread per core, 19 MiB keeps a burst of 2 concurrent hashes
at 38 MiB while still costing an attacker ~19 MiB of memory per guess. bcrypt hashes (from
an older system) verify, and are replaced at the next successful login.
"""

from __future__ import annotations

import os

import anyio
from passlib.context import CryptContext

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_ROUNDS = 2
ARGON2_PARALLELISM = 1


def build_context(*, fast_for_tests: bool = False) -> CryptContext:
    memory = 1024 if fast_for_tests else ARGON2_MEMORY_KIB
    rounds = 1 if fast_for_tests else ARGON2_ROUNDS
    return CryptContext(
        schemes=["argon2", "bcrypt"],
        deprecated=["bcrypt"],
        argon2__type="ID",
        argon2__memory_cost=memory,
        argon2__rounds=rounds,
        argon2__parallelism=ARGON2_PARALLELISM,
    )


class Argon2PasswordHasher:
    def __init__(self, context: CryptContext | None = None, max_threads: int | None = None) -> None:
        self._context = context or build_context()
        self._limiter = anyio.CapacityLimiter(max_threads or os.cpu_count() or 2)
        self._dummy_hash = self._context.hash("a password nobody has: only there to spend the time")

    async def hash(self, password: str) -> str:
        result: str = await anyio.to_thread.run_sync(self._context.hash, password, limiter=self._limiter)
        return result

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        target = password_hash or self._dummy_hash
        ok, new_hash = await anyio.to_thread.run_sync(
            self._context.verify_and_update, password, target, limiter=self._limiter
        )
        if password_hash is None:
            return False, None
        return bool(ok), new_hash
