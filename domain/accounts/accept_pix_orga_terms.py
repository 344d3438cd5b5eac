"""A logged-in user accepts the Pix Orga terms of service."""

from __future__ import annotations

from typing import Protocol

from domain.accounts.entities import Viewer
from domain.clock import Clock
from domain.unit_of_work import HasUsers, UnitOfWorkFactory, Writes


class AcceptPixOrgaTermsPorts(Writes, HasUsers, Protocol): ...


class AcceptPixOrgaTerms:
    """Accepted once; accepting again changes nothing (idempotent)."""

    def __init__(self, uow: UnitOfWorkFactory[AcceptPixOrgaTermsPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer) -> None:
        async with self._uow() as uow:
            await uow.users.accept_pix_orga_terms(viewer.user.id, self._clock.now())
            await uow.commit()
