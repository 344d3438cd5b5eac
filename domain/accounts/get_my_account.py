"""Reading one's own account, with the active memberships."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import User, Viewer
from domain.organizations.entities import UserMembership
from domain.unit_of_work import HasMemberships, Reads, UnitOfWorkFactory


@dataclass(frozen=True)
class MyAccount:
    user: User
    memberships: list[UserMembership]


class GetMyAccountPorts(Reads, HasMemberships, Protocol): ...


class GetMyAccount:
    """Memberships are read from the database each time: a removal shows at once."""

    def __init__(self, uow: UnitOfWorkFactory[GetMyAccountPorts]) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer) -> MyAccount:
        async with self._uow() as uow:
            memberships = await uow.memberships.list_active_for_user(viewer.user.id)
        return MyAccount(user=viewer.user, memberships=memberships)
