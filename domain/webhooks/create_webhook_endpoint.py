"""An administrator registers a URL to receive the organization's events."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Protocol

from domain.access import Caller, MemberPorts
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.unit_of_work import HasAudit, HasWebhookEndpoints, UnitOfWorkFactory, Writes
from domain.webhooks.access import require_webhook_manager
from domain.webhooks.decisions import MAX_ENDPOINTS_PER_ORGANIZATION, check_addresses, webhook_target
from domain.webhooks.entities import CreatedEndpoint, NewWebhookEndpoint
from domain.webhooks.errors import TooManyWebhookEndpoints
from domain.webhooks.ports import AddressResolver, SecretCipher

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class CreateWebhookEndpointCommand:
    organization_id: int
    url: str
    events: tuple[str, ...]
    description: str | None = None


class CreateWebhookEndpointPorts(Writes, MemberPorts, HasWebhookEndpoints, HasAudit, Protocol): ...


def new_signing_secret() -> str:
    """``whsec_`` and the base64 of 32 random bytes, as the Standard Webhooks specification says."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


class CreateWebhookEndpoint:
    """The URL must be ``https`` and lead to public addresses only (422 ``INVALID_WEBHOOK_URL``,
    ``meta.reason``), unless private addresses are allowed (development); the name is resolved
    here, and again at every delivery. At most ``MAX_ENDPOINTS_PER_ORGANIZATION`` endpoints (409
    ``TOO_MANY_WEBHOOK_ENDPOINTS``, counted under a lock). The signing secret is returned this once
    and stored encrypted."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[CreateWebhookEndpointPorts],
        clock: Clock,
        resolver: AddressResolver,
        cipher: SecretCipher,
        *,
        allow_private_addresses: bool,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._resolver = resolver
        self._cipher = cipher
        self._allow_private = allow_private_addresses

    async def __call__(self, caller: Caller, command: CreateWebhookEndpointCommand) -> CreatedEndpoint:
        async with self._uow() as uow:
            actor = await require_webhook_manager(uow, caller, command.organization_id)
        # Resolved outside any transaction: a slow name server holds no connection or lock.
        target = webhook_target(command.url, allow_private=self._allow_private)
        check_addresses(
            await self._resolver.resolve(target.host, target.port), allow_private=self._allow_private
        )
        secret = new_signing_secret()
        now = self._clock.now()
        async with self._uow() as uow:
            if (
                await uow.webhook_endpoints.lock_count(command.organization_id)
                >= MAX_ENDPOINTS_PER_ORGANIZATION
            ):
                raise TooManyWebhookEndpoints(meta={"max_endpoints": MAX_ENDPOINTS_PER_ORGANIZATION})
            endpoint = await uow.webhook_endpoints.add(
                NewWebhookEndpoint(
                    organization_id=command.organization_id,
                    url=command.url,
                    events=tuple(dict.fromkeys(command.events)),
                    description=command.description,
                    encrypted_secret=self._cipher.encrypt(secret),
                    created_at=now,
                )
            )
            await uow.audit.record(
                AuditEvent(
                    type="WEBHOOK_ENDPOINT_CREATED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=command.organization_id,
                    target_type="webhook_endpoint",
                    target_id=endpoint.id,
                    details={"events": list(endpoint.events)},
                )
            )
            await uow.commit()
        return CreatedEndpoint(endpoint, secret)
