"""``pix-orga serve`` and ``pix-orga worker`` as real processes, configured by environment
variables as an operator does (the fault and scale-out tests kill them, stop them, run several)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
"""The in-thread servers' key (``test_settings``): a token from either is valid on both."""


PYCACHE = Path(tempfile.gettempdir()) / f"pix-orga-tests-pycache-{os.getuid()}"
"""Where the processes keep their bytecode: with ``PYTHONDONTWRITEBYTECODE`` each would compile
every module again (3 s of CPU, 1 s from this cache); nothing is written in the project."""


def environment(database_url: str, **settings: str) -> dict[str, str]:
    """The process environment: the test's settings over a clean slate (no setting of the
    developer's shell leaks in)."""
    env = {name: value for name, value in os.environ.items() if not _is_setting(name)}
    env.update(
        {
            "DATABASE_URL": database_url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": SECRET_KEY,
            "OUTBOX_IN_PROCESS": "false",
            "EMAIL_BACKEND": "console",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPYCACHEPREFIX": str(PYCACHE),
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({name.upper(): value for name, value in settings.items()})
    return env


def _is_setting(name: str) -> bool:
    from infrastructure.settings import Settings

    return name.lower() in Settings.model_fields


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for the exit; SIGKILL if it does not come."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


@dataclass
class ApiProcess(Process):
    url: str
    port: int

    def wait_ready(self, timeout: float = 30) -> ApiProcess:
        """Until ``/health/ready`` answers 200 (the database is reachable), or fail with the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"pix-orga serve exited with {self.process.returncode}:\n{self.output()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return self
            time.sleep(0.05)
        raise AssertionError(f"pix-orga serve not ready after {timeout} s:\n{self.output()}")


def _spawn(command: str, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def start_api(database_url: str, log_dir: Path, **settings: str) -> ApiProcess:
    """``pix-orga serve`` on a free port (not waited for: call ``wait_ready``)."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    env = environment(database_url, host="127.0.0.1", port=str(port), **settings)
    return ApiProcess(_spawn("serve", log, env), log, f"http://127.0.0.1:{port}", port)


def start_worker(database_url: str, log_dir: Path, name: str = "worker", **settings: str) -> Process:
    """``pix-orga worker``: sends the outbox's e-mails until SIGTERM."""
    log = log_dir / f"{name}.log"
    return Process(_spawn("worker", log, environment(database_url, **settings)), log)


@contextlib.contextmanager
def running(*processes: Process) -> Iterator[None]:
    """Stop (SIGTERM, then SIGKILL) every process at the end, whatever happened."""
    try:
        yield
    finally:
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.terminate(timeout=15)


def wait_until(condition: Callable[[], object], timeout: float = 15, what: str = "the condition") -> None:
    """Poll ``condition()`` until it is true, failing after ``timeout`` seconds (a deadline,
    not a sleep the test relies on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.02)
