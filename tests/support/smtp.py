"""A real SMTP server (aiosmtpd) on loopback for the tests, keeping what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    rcpt_tos: list[str]
    content: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def text(self) -> str:
        part = self.message().get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Mailbox:
    """aiosmtpd handler that keeps what it receives, or refuses recipients with ``rcpt_reply``."""

    rcpt_reply: str | None = None
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _arrived: threading.Condition = field(default_factory=threading.Condition, repr=False)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._arrived:
            self.received.append(Received(list(envelope.rcpt_tos), envelope.content))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def recipients(self) -> Counter[str]:
        return Counter(address for message in self.received for address in message.rcpt_tos)

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        """Blocks until ``count`` messages have arrived (woken by each arrival, no polling)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.received)} e-mails received, {count} expected")
                self._arrived.wait(remaining)
            return list(self.received)

    def last_to(self, address: str) -> Received:
        return next(m for m in reversed(self.received) if address in m.rcpt_tos)


class PortReadingController(Controller):
    """Reads back the port the server is bound to (the system's choice when asked for port 0: no race
    for a free port)."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@contextmanager
def smtp_server(mailbox: Mailbox | None = None, port: int = 0) -> Iterator[Mailbox]:
    mailbox = mailbox if mailbox is not None else Mailbox()
    controller = PortReadingController(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()


@contextmanager
def refused_port() -> Iterator[int]:
    """A port bound but not listening: connections are refused, and no other process can take it
    until the block ends (then a server of the test may listen on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
