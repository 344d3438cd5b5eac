"""The client's address, believing ``X-Forwarded-For`` only from trusted proxies."""

from __future__ import annotations

import ipaddress

from fastapi import Request


def _is_trusted(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request) -> str:
    """The peer, or, when the peer is a trusted proxy, the last address in ``X-Forwarded-For``
    that is not itself a trusted proxy (the rightmost ones were added by our own proxies)."""
    trusted: list[str] = request.app.state.trusted_proxies
    peer = request.client.host if request.client else "unknown"
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
