"""The real ASGI app served by uvicorn on a loopback port, in a thread of the test process."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn
import uvloop
from fastapi import FastAPI

from api.bootstrap import create_app
from api.cli import UVICORN_OPTIONS
from domain.clock import Clock
from infrastructure.settings import Settings

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "outbox_in_process": False,
        "email_backend": "console",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


test_settings.__test__ = False  # type: ignore[attr-defined]  # a factory, not a test


class LiveServer:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.app: FastAPI = create_app(settings, clock=clock)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Served as ``pix-orga serve`` serves (no proxy headers believed by uvicorn, no WebSocket).
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, lifespan="on", **UVICORN_OPTIONS)
        self._server = uvicorn.Server(config)
        self.loop = uvloop.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"uvicorn-{self.port}")

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._server.serve())

    def start(self) -> LiveServer:
        self._thread.start()
        started = threading.Event()

        async def wait_started() -> None:
            while not self._server.started:
                await asyncio.sleep(0.01)
            started.set()

        # Wait on the server's own loop: no polling from the test thread.
        asyncio.run_coroutine_threadsafe(wait_started(), self.loop).result(timeout=20)
        assert started.is_set()
        return self

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the server's event loop (where its engine and limiter live)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.loop.close()
