"""Support revokes any organization's client (a leaked secret reported to Pix)."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.api_clients.revocation import RevokePorts, revoke
from domain.clock import Clock
from domain.unit_of_work import UnitOfWorkFactory, Writes


class SupportRevokeApiClientPorts(Writes, RevokePorts, Protocol): ...


class SupportRevokeApiClient:
    def __init__(self, uow: UnitOfWorkFactory[SupportRevokeApiClientPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer | None, api_client_id: int) -> None:
        actor = require_support(viewer)
        async with self._uow() as uow:
            await revoke(uow, api_client_id, None, actor, self._clock.now())
            await uow.commit()
