"""An organization's administrator creates an API client; its secret is shown this once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from domain.access import Caller, MemberPorts, actor_of, require_member, require_person
from domain.api_clients.entities import (
    CLIENT_ID_PREFIX,
    CLIENT_SECRET_PREFIX,
    MAX_LIVE_CLIENTS,
    CreatedApiClient,
    NewApiClient,
    Scope,
)
from domain.api_clients.errors import TooManyApiClients
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.secrets import hash_secret
from domain.unit_of_work import HasApiClients, HasAudit, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class CreateApiClientCommand:
    organization_id: int
    name: str
    scopes: frozenset[Scope]


class CreateApiClientPorts(Writes, MemberPorts, HasApiClients, HasAudit, Protocol): ...


def new_client_secret() -> str:
    """256 random bits: a fast hash of it is safe to store."""
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)


class CreateApiClient:
    """At most ``MAX_LIVE_CLIENTS`` live clients per organization (409 ``TOO_MANY_API_CLIENTS``),
    counted with the organization locked. Audited as ``API_CLIENT_CREATED``."""

    def __init__(self, uow: UnitOfWorkFactory[CreateApiClientPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, command: CreateApiClientCommand) -> CreatedApiClient:
        viewer = require_person(caller)
        secret = new_client_secret()
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, command.organization_id, admin=True)
            if await uow.api_clients.count_live(command.organization_id) >= MAX_LIVE_CLIENTS:
                raise TooManyApiClients(meta={"max": MAX_LIVE_CLIENTS})
            client = await uow.api_clients.add(
                NewApiClient(
                    organization_id=command.organization_id,
                    name=command.name,
                    client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(12),
                    scopes=command.scopes,
                    secret_hash=hash_secret(secret),
                    created_at=now,
                    created_by_user_id=viewer.user.id,
                )
            )
            await uow.audit.record(
                AuditEvent(
                    type="API_CLIENT_CREATED",
                    actor=actor_of(viewer),
                    occurred_at=now,
                    organization_id=command.organization_id,
                    target_type="api_client",
                    target_id=client.id,
                    details={"scopes": sorted(scope.value for scope in command.scopes)},
                )
            )
            await uow.commit()
        return CreatedApiClient(client, secret)
