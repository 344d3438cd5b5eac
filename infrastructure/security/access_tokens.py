"""Short-lived access tokens: JWT signed with HS256, the algorithm pinned on both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from domain.api_clients.entities import ClientClaims, Scope, scope_text
from domain.errors import Unauthenticated

ALGORITHM = "HS256"
ISSUER = "pix-orga-api"


class JwtAccessTokens:
    def __init__(self, secret_key: str, ttl: timedelta) -> None:
        self._key = secret_key
        self._ttl = ttl

    def issue(self, user_id: int, session_id: str) -> tuple[str, int]:
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "sid": session_id,
            "iat": now,
            "exp": now + self._ttl,
            "iss": ISSUER,
            "typ": "access",
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), int(self._ttl.total_seconds())

    def read(self, token: str) -> tuple[int, str]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "sid", "iss"]},
            )
            if claims.get("typ") != "access":
                raise Unauthenticated()
            return int(claims["sub"]), str(claims["sid"])
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise Unauthenticated() from error

    def issue_client(self, claims: ClientClaims) -> tuple[str, int]:
        """An API client's token: ``typ`` ``client``, so that it is never read as a person's."""
        now = datetime.now(UTC)
        payload = {
            "sub": f"client:{claims.api_client_id}",
            "cid": claims.api_client_id,
            "org": claims.organization_id,
            "scope": scope_text(claims.scopes),
            "iat": now,
            "exp": now + self._ttl,
            "iss": ISSUER,
            "typ": "client",
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM), int(self._ttl.total_seconds())

    def read_client(self, token: str) -> ClientClaims | None:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
            if claims.get("typ") == "access":
                return None
            if claims.get("typ") != "client":
                raise Unauthenticated()
            scopes = frozenset(Scope(word) for word in str(claims["scope"]).split())
            return ClientClaims(int(claims["cid"]), int(claims["org"]), scopes)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
            raise Unauthenticated() from error
