"""Reading one's own account, with the active memberships, and accepting the Pix Orga terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import User, Viewer
from domain.clock import Clock
from domain.organizations.entities import UserMembership
from domain.unit_of_work import HasMemberships, HasUsers, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class MyAccount:
    user: User
    memberships: list[UserMembership]


class GetMyAccountPorts(Writes, HasMemberships, HasUsers, Protocol): ...


class GetMyAccount:
    """Memberships are read from the database each time: a removal shows at once."""

    def __init__(self, uow: UnitOfWorkFactory[GetMyAccountPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer) -> MyAccount:
        async with self._uow() as uow:
            memberships = await uow.memberships.list_active_for_user(viewer.user.id)
        return MyAccount(user=viewer.user, memberships=memberships)

    async def accept_pix_orga_terms(self, viewer: Viewer) -> None:
        """Accepted once; accepting again changes nothing (idempotent)."""
        async with self._uow() as uow:
            await uow.users.accept_pix_orga_terms(viewer.user.id, self._clock.now())
            await uow.commit()
