"""The client's address, believing ``X-Forwarded-For`` only from trusted proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request


def in_networks(address: str, networks: Sequence[str]) -> bool:
    """Whether an address is one of ``networks`` (addresses or CIDR ranges); False for anything
    that is not an IP address."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack socket shows IPv4 peers as ::ffff:a.b.c.d
    for entry in networks:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def rate_limit_key(address: str) -> str:
    """Who a per-address limit counts: an IPv4 address as is (also when a dual-stack socket shows it
    as ``::ffff:a.b.c.d``), an IPv6 address as its /64 network, since one subscriber usually holds a
    whole /64 and could otherwise take a fresh address for every request. Anything that is not an
    IP address is kept as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_key(request: Request) -> str:
    """The key of the client in the per-address rate limits (``rate_limit_key`` of its address)."""
    return rate_limit_key(client_address(request))


def client_address(request: Request) -> str:
    """The peer, or, when the peer is a trusted proxy, the last address in ``X-Forwarded-For``
    that is not itself a trusted proxy (the rightmost ones were added by our own proxies)."""
    trusted: list[str] = request.app.state.trusted_proxies
    peer = request.client.host if request.client else "unknown"
    if not trusted or not in_networks(peer, trusted):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not in_networks(hop, trusted):
            return hop
    return hops[0] if hops else peer
