"""Password hashing with argon2id, off the event loop: computed by libsodium (PyNaCl), the policy
kept by passlib.

Parameters: OWASP's argon2id minimum (19 MiB, t=2, p=1). With hashing confined to a limiter of one
thread per core, 19 MiB keeps a burst of 2 concurrent hashes at 38 MiB while still costing an
attacker ~19 MiB of memory per guess; passlib's defaults (64 MiB, t=3, p=4) took 87 ms a hash on
this machine (2 cores), 166 ms under load.

Why libsodium computes the hash: the same argon2id, with the same parameters, takes 12 ms of CPU
there against 22 ms for argon2-cffi, whose wheel runs portable code where libsodium picks its
AVX2 or AVX-512 code at run time (``benchmarks/bench_password_hash.py``). The hashes are the same
standard strings (``$argon2id$v=19$m=19456,t=2,p=1$…``): each library verifies the other's, so the
hashes stored before verify as they are. passlib still decides what a stored hash needs
(``needs_update``: other parameters, or bcrypt from an older system, replaced at the next
successful login) and verifies what is not argon2id.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

import anyio
import nacl.exceptions
import nacl.pwhash
from passlib.context import CryptContext

ARGON2ID_PREFIX: Final = "$argon2id$"
ARGON2_PARALLELISM: Final = 1
"""libsodium computes one lane only (a stored hash of more lanes still verifies): the policy says
the same, or every hash it makes would be found to need replacing."""


@dataclass(frozen=True)
class Argon2Cost:
    memory_kib: int
    rounds: int


PRODUCTION: Final = Argon2Cost(memory_kib=19 * 1024, rounds=2)
FAST_FOR_TESTS: Final = Argon2Cost(memory_kib=1024, rounds=1)


def build_context(cost: Argon2Cost = PRODUCTION) -> CryptContext:
    return CryptContext(
        schemes=["argon2", "bcrypt"],
        deprecated=["bcrypt"],
        argon2__type="ID",
        argon2__memory_cost=cost.memory_kib,
        argon2__rounds=cost.rounds,
        argon2__parallelism=ARGON2_PARALLELISM,
    )


class Argon2PasswordHasher:
    def __init__(self, cost: Argon2Cost = PRODUCTION, max_threads: int | None = None) -> None:
        self._cost = cost
        self._context = build_context(cost)
        self._limiter = anyio.CapacityLimiter(max_threads or os.cpu_count() or 2)
        self._dummy_hash = self._hash("a password nobody has: only there to spend the time")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hash, password, limiter=self._limiter)

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        target = password_hash or self._dummy_hash
        ok, new_hash = await anyio.to_thread.run_sync(self._verify, password, target, limiter=self._limiter)
        if password_hash is None:
            return False, None
        return ok, new_hash

    def _hash(self, password: str) -> str:
        hashed: bytes = nacl.pwhash.argon2id.str(
            password.encode(), opslimit=self._cost.rounds, memlimit=self._cost.memory_kib * 1024
        )
        return hashed.decode("ascii")

    def _verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        """Whether the password is the hash's, and its new hash when the stored one needs replacing."""
        if password_hash.startswith(ARGON2ID_PREFIX):
            try:
                nacl.pwhash.argon2id.verify(password_hash.encode(), password.encode())
            except nacl.exceptions.InvalidkeyError:
                return False, None
        elif not self._context.verify(password, password_hash):
            return False, None
        return True, self._hash(password) if self._context.needs_update(password_hash) else None
