"""Random secrets handed to people (links, refresh tokens) and the hash under which they are stored.

Only the SHA-256 of a secret is stored, so a copy of the database yields no usable link or
token. A plain fast hash is right here: the secrets carry 256 bits of entropy, so there is
nothing to brute-force, and lookups by hash must be cheap.
"""

from __future__ import annotations

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
