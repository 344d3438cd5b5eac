"""An administrator gives a client a new secret; the previous one keeps working for 24 hours, so
that the integration can be redeployed without downtime."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, actor_of, require_member, require_person
from domain.api_clients.create_api_client import new_client_secret
from domain.api_clients.entities import PREVIOUS_SECRET_OVERLAP
from domain.api_clients.errors import ApiClientNotFound
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.secrets import hash_secret
from domain.unit_of_work import HasApiClients, HasAudit, UnitOfWorkFactory, Writes


class RotateApiClientSecretPorts(Writes, MemberPorts, HasApiClients, HasAudit, Protocol): ...


class RotateApiClientSecret:
    """The current secret becomes the previous one, valid ``PREVIOUS_SECRET_OVERLAP`` more; a
    secret replaced earlier is dropped. The row is locked, so two rotations at once are serialised.
    A revoked client, or one of another organization, is 404 ``API_CLIENT_NOT_FOUND``."""

    def __init__(self, uow: UnitOfWorkFactory[RotateApiClientSecretPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, organization_id: int, api_client_id: int) -> str:
        viewer = require_person(caller)
        secret = new_client_secret()
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            client = await uow.api_clients.get(api_client_id, lock=True)
            if client is None or client.organization_id != organization_id or not client.is_live:
                raise ApiClientNotFound()
            await uow.api_clients.rotate_secret(
                client.id,
                secret_hash=hash_secret(secret),
                previous_secret_hash=client.secret_hash,
                previous_secret_expires_at=now + PREVIOUS_SECRET_OVERLAP,
            )
            await uow.audit.record(
                AuditEvent(
                    type="API_CLIENT_SECRET_ROTATED",
                    actor=actor_of(viewer),
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="api_client",
                    target_id=client.id,
                )
            )
            await uow.commit()
        return secret
