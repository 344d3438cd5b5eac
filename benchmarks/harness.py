"""What the benchmarks share: a throw-away PostgreSQL database, ``pix-orga serve`` processes on
it, and an administrator of a school ready to import (all on loopback)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Before the import below: ``tests.support.databases`` reads TEST_DATABASE when it is imported.
os.environ.setdefault("TEST_DATABASE", "postgresql")

from infrastructure.db.engine import create_engine  # noqa: E402
from infrastructure.db.migrations import upgrade  # noqa: E402
from infrastructure.settings import Settings  # noqa: E402
from tests.support.api import admin_of_new_organization  # noqa: E402
from tests.support.databases import throwaway_database  # noqa: E402

SECRET_KEY = "benchmark-secret-key-0123456789-0123456789"


def in_process_settings(database_url: str) -> Settings:
    """The settings of an app run in the benchmark's own process, as ``serve`` runs it: production
    password hashing, no dispatcher in the process, rate limits off."""
    return Settings(
        database_url=database_url,
        environment="development",
        secret_key=SECRET_KEY,
        outbox_in_process=False,
        rate_limits_enabled=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user and system) these processes used so far, from ``/proc``; a process gone
    meanwhile counts for nothing."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def backend_pids(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the app: the other connections to its database."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            query = text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [int(pid) for pid in (await connection.execute(query)).scalars()]
    finally:
        await engine.dispose()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def cpu_seconds(self) -> float:
        """The CPU time (user and system) the server's processes used so far: the process itself and
        its uvicorn workers, when it has some (``WORKERS``)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return cpu_seconds(pids)

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory (VmHWM), as the kernel measured it."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextlib.contextmanager
def database() -> Iterator[str]:
    with throwaway_database(Path("/tmp")) as url:
        upgrade(url)
        yield url


@contextlib.contextmanager
def serve(database_url: str, **settings: str) -> Iterator[Server]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # development, not test: production-strength password hashing is part of what is measured
        "ENVIRONMENT": "development",
        "SECRET_KEY": SECRET_KEY,
        "OUTBOX_IN_PROCESS": "false",
        "RATE_LIMITS_ENABLED": "false",
        "PORT": str(port),
        **settings,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 120  # a loaded machine imports slowly
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{server.url}/health/ready", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("pix-orga serve did not start")
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def school_admin(
    client: httpx.Client, database_url: str, **organization: str
) -> tuple[dict[str, object], str]:
    return admin_of_new_organization(client, database_url, **organization)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
