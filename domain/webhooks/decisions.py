"""The pure rules of webhooks: which URLs and addresses may receive them, when a failed delivery
is tried again, and when an endpoint that keeps failing is disabled. Plain functions, tested in
milliseconds (``tests/unit/test_webhook_decisions.py``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from domain.webhooks.errors import InvalidWebhookUrl

MAX_URL_LENGTH: Final = 2048
MAX_ENDPOINTS_PER_ORGANIZATION: Final = 10
FIRST_RETRY: Final = timedelta(seconds=30)
MAX_RETRY: Final = timedelta(hours=1)
JITTER: Final = 0.1
"""Up to this fraction of the delay is added at random, so that retries do not come in lockstep."""
FAILING_PERIOD: Final = timedelta(days=3)
"""An endpoint failing for this long is disabled; a delivery this old is given up."""

_CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """What a webhook URL points at: the host to resolve, the port to connect to."""

    scheme: str
    host: str
    port: int


def webhook_target(url: str, *, allow_private: bool) -> WebhookTarget:
    """``https://host[:port]/path`` (``http`` too when private addresses are allowed, for
    development), with no user information and no fragment; else ``InvalidWebhookUrl``. A host
    that is an IP address must be public (unless allowed); names are checked once resolved."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidWebhookUrl("TOO_LONG")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidWebhookUrl("MALFORMED") from error
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("https", "http") or not host or parts.username is not None or parts.fragment:
        raise InvalidWebhookUrl("MALFORMED")
    if any(ord(character) <= 32 or ord(character) == 127 for character in url):
        raise InvalidWebhookUrl("MALFORMED")
    if scheme != "https" and not allow_private:
        raise InvalidWebhookUrl("NOT_HTTPS")
    literal = _ip_or_none(host)
    if literal is not None and not allow_private and not is_public_address(literal):
        raise InvalidWebhookUrl("NON_PUBLIC_ADDRESS")
    return WebhookTarget(scheme, host, port or (443 if scheme == "https" else 80))


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is a global unicast one a webhook may be sent to: not loopback, private,
    link-local (cloud metadata services live there), shared (CGNAT), multicast, reserved,
    unspecified or documentation; an IPv4 address inside IPv6 (mapped, compatible, 6to4, Teredo,
    NAT64) is judged as that IPv4 address."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(embedded)
        if ip.scope_id is not None:
            return False
    if (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    ):
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global


def check_addresses(addresses: Iterable[str], *, allow_private: bool) -> list[str]:
    """The addresses a name resolved to, all of them public (or private allowed); else
    ``InvalidWebhookUrl``: ``UNRESOLVABLE`` when there are none, ``NON_PUBLIC_ADDRESS`` when any is
    not public, since the connection may go to any of them."""
    found = list(dict.fromkeys(addresses))
    if not found:
        raise InvalidWebhookUrl("UNRESOLVABLE")
    if not allow_private and not all(is_public_address(address) for address in found):
        raise InvalidWebhookUrl("NON_PUBLIC_ADDRESS")
    return found


def retry_delay(attempts: int, jitter: float = 0.0) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, doubled at each failure, at most an
    hour, plus ``jitter`` (0 to 1) times ``JITTER`` of it."""
    exponent = min(max(attempts - 1, 0), 30)
    seconds = min(FIRST_RETRY.total_seconds() * 2**exponent, MAX_RETRY.total_seconds())
    return timedelta(seconds=seconds * (1 + JITTER * min(max(jitter, 0.0), 1.0)))


def next_attempt_after_failure(
    created_at: datetime, attempts: int, now: datetime, jitter: float = 0.0
) -> datetime | None:
    """When to try a delivery again after its ``attempts``-th failure; None to give it up (it is
    ``FAILING_PERIOD`` old, so its endpoint has been failing at least that long)."""
    if now - created_at >= FAILING_PERIOD:
        return None
    return now + retry_delay(attempts, jitter)


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    """An endpoint whose deliveries have all failed for ``FAILING_PERIOD`` is disabled."""
    return failing_since is not None and now - failing_since >= FAILING_PERIOD


def _ip_or_none(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    packed = ip.packed
    if packed[:12] == bytes(12) and int(ip) > 1:  # IPv4-compatible (deprecated ::a.b.c.d)
        return ipaddress.IPv4Address(packed[12:])
    return None
