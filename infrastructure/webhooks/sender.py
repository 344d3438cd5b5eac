"""Sends one signed webhook request: resolve, check, connect to the checked address, never follow.

The host is resolved at every delivery and every address it resolves to must be public (unless
``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``): a name that pointed to a public address when the endpoint was
registered may point to ``127.0.0.1`` or ``169.254.169.254`` today (DNS rebinding). The connection
then goes to the address that was checked, not to whatever a second resolution would give: the URL
is rewritten to that IP, the ``Host`` header keeps the name, and TLS is negotiated and verified for
the name (``sni_hostname``). Redirects are not followed (a 3xx is a failed attempt), proxies from
the environment are ignored, the whole exchange is bounded by ``WEBHOOK_TIMEOUT_SECONDS`` and at
most ``MAX_RESPONSE_BYTES`` of the answer are read.

Keep-alive connections are pooled per host name, so that a connection opened and verified for one
name is never reused for another name served from the same address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

import httpx

from domain.webhooks.decisions import check_addresses, webhook_target
from domain.webhooks.errors import InvalidWebhookUrl
from domain.webhooks.ports import AddressResolver

MAX_RESPONSE_BYTES: Final = 64 * 1024
MAX_POOLED_HOSTS: Final = 64
USER_AGENT: Final = "pix-orga-webhooks/1"


@dataclass(frozen=True, slots=True)
class SendResult:
    """``status_code`` when an answer came; ``error`` names the failure (never a URL or a message)."""

    status_code: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


class HttpWebhookSender:
    def __init__(
        self,
        resolver: AddressResolver,
        *,
        timeout: float,
        allow_private_addresses: bool,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        """``verify``: the TLS trust, the system's certificate authorities by default (tests give
        their own authority)."""
        self._resolver = resolver
        self._timeout = timeout
        self._allow_private = allow_private_addresses
        self._max_response_bytes = max_response_bytes
        self._clients: OrderedDict[str, httpx.AsyncClient] = OrderedDict()
        self._verify = verify

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        try:
            target = webhook_target(url, allow_private=self._allow_private)
            addresses = check_addresses(
                await self._resolver.resolve(target.host, target.port), allow_private=self._allow_private
            )
        except InvalidWebhookUrl as refused:
            return SendResult(error=refused.reason)
        try:
            original = httpx.URL(url)
            pinned = original.copy_with(host=_bare(addresses[0]))
            host_header = original.netloc.decode("ascii")
        except (httpx.InvalidURL, ValueError, UnicodeError):
            return SendResult(error="MALFORMED")
        extensions = {}
        if target.scheme == "https" and not _is_ip(target.host):
            extensions["sni_hostname"] = target.host
        request_headers = {
            **headers,
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        client = await self._client_for(target.host)
        try:
            async with asyncio.timeout(self._timeout):
                async with client.stream(
                    "POST", pinned, content=body, headers=request_headers, extensions=extensions
                ) as response:
                    await self._drain(response)
                    status = response.status_code
        except TimeoutError:
            return SendResult(error="TIMEOUT")
        except httpx.TimeoutException:
            return SendResult(error="TIMEOUT")
        except httpx.ConnectError:
            return SendResult(error="CONNECT_ERROR")
        except httpx.HTTPError as error:
            return SendResult(error=type(error).__name__[:64])
        except OSError as error:
            return SendResult(error=type(error).__name__[:64])
        if 300 <= status < 400:
            return SendResult(status, "REDIRECT_NOT_FOLLOWED")
        if not 200 <= status < 300:
            return SendResult(status, f"HTTP_{status}")
        return SendResult(status)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            await client.aclose()

    async def _drain(self, response: httpx.Response) -> None:
        """Read at most ``max_response_bytes`` of the answer (nobody reads it; the connection is
        dropped when it is longer)."""
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= self._max_response_bytes:
                break

    async def _client_for(self, host: str) -> httpx.AsyncClient:
        client = self._clients.pop(host, None)
        if client is None:
            client = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                verify=self._verify,
                timeout=httpx.Timeout(self._timeout),
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            )
        self._clients[host] = client
        while len(self._clients) > MAX_POOLED_HOSTS:
            _, oldest = self._clients.popitem(last=False)
            await oldest.aclose()
        return client


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _bare(address: str) -> str:
    """An address as a URL host takes it (httpx adds the brackets of IPv6)."""
    return str(ipaddress.ip_address(address.split("%", 1)[0]))
