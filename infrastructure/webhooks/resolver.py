"""Name resolution for webhook URLs, off the event loop and bounded in time."""

from __future__ import annotations

import asyncio
import ipaddress
import socket


class SystemResolver:
    """The system's resolver (``getaddrinfo`` in a thread, as asyncio does), with a timeout.
    Implements ``domain.webhooks.ports.AddressResolver``."""

    def __init__(self, timeout: float = 5.0) -> None:
        self._timeout = timeout

    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP),
                self._timeout,
            )
        except (OSError, TimeoutError, UnicodeError, ValueError):
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in infos))
