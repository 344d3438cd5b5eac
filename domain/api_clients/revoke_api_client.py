"""An administrator revokes one of the organization's clients: its tokens stop working at once."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, actor_of, require_member, require_person
from domain.api_clients.revocation import RevokePorts, revoke
from domain.clock import Clock
from domain.unit_of_work import UnitOfWorkFactory, Writes


class RevokeApiClientPorts(Writes, MemberPorts, RevokePorts, Protocol): ...


class RevokeApiClient:
    def __init__(self, uow: UnitOfWorkFactory[RevokeApiClientPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, caller: Caller, organization_id: int, api_client_id: int) -> None:
        viewer = require_person(caller)
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            await revoke(uow, api_client_id, organization_id, actor_of(viewer), self._clock.now())
            await uow.commit()
