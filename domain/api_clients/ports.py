from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.api_clients.entities import ApiClient, ClientClaims, NewApiClient, Scope


class ApiClientRepository(Protocol):
    async def add(self, client: NewApiClient) -> ApiClient: ...

    async def get(self, api_client_id: int, *, lock: bool = False) -> ApiClient | None:
        """By id; ``lock`` holds the row until the transaction ends (a rotation)."""
        ...

    async def find_by_client_id(self, client_id: str) -> ApiClient | None: ...

    async def count_live(self, organization_id: int) -> int:
        """The organization's clients not revoked, counted with the organization's row locked, so
        that two creations at once cannot both pass the cap."""
        ...

    async def rotate_secret(
        self,
        api_client_id: int,
        *,
        secret_hash: str,
        previous_secret_hash: str,
        previous_secret_expires_at: datetime,
    ) -> None: ...

    async def revoke(self, api_client_id: int, now: datetime) -> bool:
        """Sets ``revoked_at`` unless already set; False when it was (or the client is unknown)."""
        ...

    async def mark_used(self, api_client_id: int, now: datetime, *, precision_seconds: int) -> None:
        """Sets ``last_used_at``, written only when older than ``precision_seconds``: a client asking
        for tokens in a loop costs no write each time."""
        ...


class ClientTokens(Protocol):
    def issue_client(self, claims: ClientClaims) -> tuple[str, int]:
        """A signed access token for the client and its lifetime in seconds."""
        ...

    def read_client(self, token: str) -> ClientClaims | None:
        """The claims of a valid client token; None for a person's access token (which ``Authenticate``
        reads); raises ``Unauthenticated`` for anything else (bad signature, expired, malformed)."""
        ...


__all__ = ["ApiClientRepository", "ClientTokens", "Scope"]
