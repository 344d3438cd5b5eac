"""The password hasher with its real libraries: argon2id computed by libsodium, with the configured
parameters; the hashes argon2-cffi made before (passlib's backend) verify as they are, and the
other way round; a hash of other parameters, or bcrypt, verifies once and is replaced."""

from __future__ import annotations

import argon2
import bcrypt
import pytest
from passlib.context import CryptContext

from infrastructure.security.password_hasher import (
    FAST_FOR_TESTS,
    PRODUCTION,
    Argon2Cost,
    Argon2PasswordHasher,
    build_context,
)

PASSWORD = "Élève 2024 ✓x"  # not only ASCII: both libraries must hash the same UTF-8 bytes


def argon2_cffi(cost: Argon2Cost, parallelism: int = 1) -> argon2.PasswordHasher:
    return argon2.PasswordHasher(
        time_cost=cost.rounds, memory_cost=cost.memory_kib, parallelism=parallelism, type=argon2.Type.ID
    )


@pytest.mark.parametrize("cost", [PRODUCTION, FAST_FOR_TESTS], ids=["production", "tests"])
async def test_hashes_with_the_configured_parameters_and_argon2_cffi_verifies_them(cost: Argon2Cost) -> None:
    hasher = Argon2PasswordHasher(cost)
    stored = await hasher.hash(PASSWORD)
    assert stored.startswith(f"$argon2id$v=19$m={cost.memory_kib},t={cost.rounds},p=1$")
    assert argon2_cffi(cost).verify(stored, PASSWORD)
    assert build_context(cost).verify(PASSWORD, stored)
    assert await hasher.verify(PASSWORD, stored) == (True, None)
    assert await hasher.verify(PASSWORD + "!", stored) == (False, None)


async def test_a_hash_argon2_cffi_made_with_the_same_parameters_verifies_and_is_kept() -> None:
    hasher = Argon2PasswordHasher(FAST_FOR_TESTS)
    made_before = argon2_cffi(FAST_FOR_TESTS).hash(PASSWORD)
    assert await hasher.verify(PASSWORD, made_before) == (True, None)
    assert await hasher.verify("Autre2024x", made_before) == (False, None)


async def test_a_hash_of_other_parameters_verifies_then_is_replaced() -> None:
    hasher = Argon2PasswordHasher(FAST_FOR_TESTS)
    older = argon2_cffi(Argon2Cost(memory_kib=2048, rounds=2), parallelism=2).hash(PASSWORD)
    ok, replaced = await hasher.verify(PASSWORD, older)
    assert ok and replaced is not None
    assert replaced.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert await hasher.verify(PASSWORD, replaced) == (True, None)
    assert await hasher.verify("Autre2024x", older) == (False, None)


async def test_a_stored_argon2id_string_that_does_not_parse_is_a_refusal() -> None:
    hasher = Argon2PasswordHasher(FAST_FOR_TESTS)
    for broken in ("$argon2id$garbage", "$argon2id$v=19$m=99999999999,t=2,p=1$c2FsdHNhbHQ$aGFzaA"):
        assert await hasher.verify(PASSWORD, broken) == (False, None)


async def test_a_bcrypt_hash_verifies_then_is_replaced_by_argon2id() -> None:
    hasher = Argon2PasswordHasher(FAST_FOR_TESTS)
    legacy = bcrypt.hashpw(b"Legacy2020", bcrypt.gensalt(rounds=4)).decode()
    ok, replaced = await hasher.verify("Legacy2020", legacy)
    assert ok and replaced is not None and replaced.startswith("$argon2id$")
    assert await hasher.verify("Legacy2021", legacy) == (False, None)


async def test_no_hash_is_a_refusal_after_the_same_work() -> None:
    hasher = Argon2PasswordHasher(FAST_FOR_TESTS)
    assert await hasher.verify(PASSWORD, None) == (False, None)
    assert await hasher.verify("", None) == (False, None)


def test_passlib_still_reads_the_policy() -> None:
    context: CryptContext = build_context(PRODUCTION)
    current = argon2_cffi(PRODUCTION).hash(PASSWORD)
    assert not context.needs_update(current)
    assert context.needs_update(argon2_cffi(FAST_FOR_TESTS).hash(PASSWORD))
