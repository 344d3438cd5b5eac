"""argon2id with the production parameters (19 MiB, t=2, p=1): CPU time per hash of the service's
hasher (libsodium, through PyNaCl) next to argon2-cffi's in the same run (the library it replaced
for computing hashes), one hash at a time, then two threads at once on the two cores as the
hasher's limiter allows; and each library verifying the other's hash.

    uv run python -m benchmarks.bench_password_hash [--hashes 60]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import argon2
import nacl.pwhash

from infrastructure.security.password_hasher import PRODUCTION

PASSWORD = "Eleve2024x"


def libsodium() -> str:
    hashed: bytes = nacl.pwhash.argon2id.str(
        PASSWORD.encode(), opslimit=PRODUCTION.rounds, memlimit=PRODUCTION.memory_kib * 1024
    )
    return hashed.decode("ascii")


_CFFI = argon2.PasswordHasher(
    time_cost=PRODUCTION.rounds, memory_cost=PRODUCTION.memory_kib, parallelism=1, type=argon2.Type.ID
)


def argon2_cffi() -> str:
    return _CFFI.hash(PASSWORD)


def cpu_ms_per_hash(hash_once: Callable[[], str], hashes: int, threads: int) -> tuple[float, float]:
    """CPU and wall milliseconds per hash, ``threads`` hashing at once."""
    hash_once()
    started_cpu, started = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: hash_once(), range(hashes)))
    return (
        (time.process_time() - started_cpu) / hashes * 1000,
        (time.perf_counter() - started) / hashes * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hashes", type=int, default=60)
    hashes = parser.parse_args().hashes
    print(f"argon2id m={PRODUCTION.memory_kib} KiB, t={PRODUCTION.rounds}, p=1; {hashes} hashes a case")
    print(f"{'':<30} {'CPU/hash':>9} {'wall/hash':>10} {'ratio to argon2-cffi':>21}")
    for threads in (1, 2):
        baseline_cpu, baseline_wall = cpu_ms_per_hash(argon2_cffi, hashes, threads)
        cpu, wall = cpu_ms_per_hash(libsodium, hashes, threads)
        for name, figures in (("argon2-cffi", (baseline_cpu, baseline_wall)), ("libsodium", (cpu, wall))):
            label = f"{name}, {threads} thread(s)"
            print(f"{label:<30} {figures[0]:>7.1f}ms {figures[1]:>8.1f}ms {figures[0] / baseline_cpu:>20.2f}")
    crossed = _CFFI.verify(libsodium(), PASSWORD) and nacl.pwhash.argon2id.verify(
        argon2_cffi().encode(), PASSWORD.encode()
    )
    print(f"each verifies the other's hash: {crossed}")


if __name__ == "__main__":
    main()
