"""What the webhook use cases need from the world: the endpoints' repository, a resolver to check
where a URL leads, and the cipher that keeps signing secrets encrypted at rest."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.webhooks.entities import EndpointStatus, NewWebhookEndpoint, WebhookEndpoint


class WebhookEndpointRepository(Protocol):
    async def add(self, endpoint: NewWebhookEndpoint) -> WebhookEndpoint: ...

    async def get(self, endpoint_id: int) -> WebhookEndpoint | None: ...

    async def lock_count(self, organization_id: int) -> int:
        """How many endpoints the organization has, counted after locking its endpoints' rows
        (``SELECT … FOR UPDATE``), so that two creations cannot both take the last place."""
        ...

    async def update(
        self,
        endpoint_id: int,
        *,
        events: tuple[str, ...],
        status: EndpointStatus,
        now: datetime,
    ) -> WebhookEndpoint:
        """New events and status; enabling again clears ``failing_since``."""
        ...

    async def delete(self, endpoint_id: int) -> None:
        """The endpoint and its deliveries."""
        ...


class AddressResolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """The IP addresses ``host`` resolves to (an IP address resolves to itself); an empty list
        when it does not resolve within the resolver's timeout."""
        ...


class SecretCipher(Protocol):
    def encrypt(self, secret: str) -> bytes: ...

    def decrypt(self, token: bytes) -> str: ...
