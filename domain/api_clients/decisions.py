"""The pure rules of client authentication: which secret is accepted, which scopes are granted."""

from __future__ import annotations

import hmac
from datetime import datetime

from domain.api_clients.entities import ApiClient, Scope
from domain.api_clients.errors import InvalidScope

# Compared against when the client is unknown, so that an unknown client costs the same comparisons.
_NO_HASH = "0" * 64


def secret_accepted(client: ApiClient | None, secret_hash: str, now: datetime) -> bool:
    """The current secret, or the previous one during its overlap; never for a revoked client.
    Both comparisons always run, in constant time."""
    current = hmac.compare_digest(client.secret_hash if client else _NO_HASH, secret_hash)
    previous_hash = client.previous_secret_hash if client else None
    previous = hmac.compare_digest(previous_hash or _NO_HASH, secret_hash)
    if client is None or client.revoked_at is not None:
        return False
    expires = client.previous_secret_expires_at
    previous_valid = previous and previous_hash is not None and expires is not None and now < expires
    return current or previous_valid


def granted_scopes(allowed: frozenset[Scope], requested: str | None) -> frozenset[Scope]:
    """RFC 6749 §3.3: no ``scope`` gives every scope of the client; otherwise a space-separated
    subset of them, each known and granted, else ``INVALID_SCOPE``."""
    words = (requested or "").split()
    if not words:
        return allowed
    known = {scope.value: scope for scope in Scope}
    asked = set()
    for word in words:
        scope = known.get(word)
        if scope is None or scope not in allowed:
            raise InvalidScope()
        asked.add(scope)
    return frozenset(asked)
