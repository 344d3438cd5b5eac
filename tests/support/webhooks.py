"""Webhook receivers on loopback and a resolver from a table, for the webhook tests and benchmark.

A receiver is a real HTTP server (asyncio, HTTP/1.1 with keep-alive) that records each request
(headers and body) and answers as a test scripts it: a status, a delay, a redirect."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import select
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Final

PUBLIC_WEBHOOK_URL: Final = "https://93.184.215.14/pix-orga/webhooks"
"""A literal public address: accepted at registration without any name resolution, and never
contacted (no dispatcher runs in the tests that use it)."""


class StaticResolver:
    """Names resolved from a table (what a hostile DNS would answer); an IP resolves to itself;
    any other name does not resolve. Implements ``domain.webhooks.ports.AddressResolver``."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = {name.lower(): addresses for name, addresses in (table or {}).items()}

    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            return list(self.table.get(host.lower().rstrip("."), []))


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when the request was read in full


@dataclass
class Answer:
    status: int = 204
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class Receiver:
    """An HTTP server on 127.0.0.1 recording what it receives; ``script`` decides each answer
    from the request's number (1, 2, ...) and the request."""

    def __init__(
        self,
        script: Callable[[int, Received], Answer] | None = None,
        tls: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        """``tls``: serve HTTPS with that context; ``host``: the name its URL gives."""
        self.script = script or (lambda n, request: Answer())
        self.tls = tls
        self.host = host
        self.received: list[Received] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Condition()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}/hooks"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Until ``count`` requests arrived (a condition, no polling)."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.received) >= count), timeout)
        return self.received

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                async with self._arrived:
                    self.received.append(request)
                    number = len(self.received)
                    self._arrived.notify_all()
                answer = self.script(number, request)
                if answer.delay:
                    await asyncio.sleep(answer.delay)
                head = [
                    f"HTTP/1.1 {answer.status} X",
                    "Content-Length: 0",
                    *(f"{name}: {value}" for name, value in answer.headers.items()),
                ]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Received | None:
    line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b"\n", b""):
            break
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body, time.time())


@contextlib.asynccontextmanager
async def receiving(
    script: Callable[[int, Received], Answer] | None = None,
    tls: ssl.SSLContext | None = None,
    host: str = "127.0.0.1",
) -> AsyncIterator[Receiver]:
    receiver = await Receiver(script, tls, host).start()
    try:
        yield receiver
    finally:
        await receiver.stop()


class ThreadedReceiver:
    """The same receiver for synchronous tests: the standard library's HTTP server in a thread."""

    def __init__(self, status: int = 204, before_answer: Callable[[int], None] | None = None) -> None:
        """``before_answer(n)`` runs when the ``n``-th request has arrived, before it is answered."""
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[Received] = []
        self._arrived = threading.Condition()
        self._open = 0  # connections accepted and not yet ended
        self._connections = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender went away mid-request: nothing was received
                    self.close_connection = True
                    return
                request = Received(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
                )
                with receiver._arrived:
                    receiver.received.append(request)
                    number = len(receiver.received)
                    receiver._arrived.notify_all()
                if before_answer is not None:
                    before_answer(number)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        class Server(ThreadingHTTPServer):
            # socketserver listens with a backlog of 5 where real servers take the system's maximum:
            # a dispatcher opening its connections at once overflowed it, and the kernel reset those
            # it could not queue (the SYN cookie of an overflowed queue is refused), so deliveries
            # failed with ReadError before the receiver was even asked.
            request_queue_size = socket.SOMAXCONN
            daemon_threads = True

            def get_request(self) -> tuple[socket.socket, Any]:
                with receiver._connections:  # accepted and counted at once, for wait_idle
                    accepted = super().get_request()
                    receiver._open += 1
                return accepted

            def shutdown_request(self, request: Any) -> None:
                super().shutdown_request(request)
                with receiver._connections:
                    receiver._open -= 1
                    receiver._connections.notify_all()

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="webhook-receiver"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def __enter__(self) -> ThreadedReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} webhook requests received")
            return list(self.received)

    def wait_idle(self, timeout: float = 30) -> None:
        """Until every connection it accepted has ended and none waits to be accepted: whatever a
        sender that is gone had sent has been read (its requests are in ``received``)."""
        listening = self._server.socket
        deadline = time.monotonic() + timeout
        with self._connections:
            while self._open or select.select([listening], [], [], 0)[0]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self._open} connections still open after {timeout} s")
                # Notified when a connection ends; a connection still waiting to be accepted is
                # seen again at the next look.
                self._connections.wait(0.05)
