"""Changing one's own password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import Viewer
from domain.accounts.errors import WrongCurrentPassword
from domain.accounts.password_policy import check_password_policy
from domain.accounts.ports import PasswordHasher
from domain.clock import Clock
from domain.unit_of_work import HasSessions, HasUsers, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class ChangePasswordCommand:
    current_password: str
    new_password: str


class ChangePasswordPorts(Writes, HasSessions, HasUsers, Protocol): ...


class ChangePassword:
    """Needs the current password; the new one follows the policy. Clears
    ``must_change_password`` and revokes every other session of the account."""

    def __init__(
        self, uow: UnitOfWorkFactory[ChangePasswordPorts], hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, viewer: Viewer, command: ChangePasswordCommand) -> None:
        ok, _ = await self._hasher.verify(command.current_password, viewer.user.password_hash)
        if not ok:
            raise WrongCurrentPassword()
        check_password_policy(command.new_password)
        new_hash = await self._hasher.hash(command.new_password)
        now = self._clock.now()
        async with self._uow() as uow:
            await uow.users.set_password(
                viewer.user.id,
                new_hash,
                must_change_password=False,
                temporary_password_expires_at=None,
                now=now,
            )
            await uow.sessions.revoke_all_of_user(viewer.user.id, now, except_session=viewer.session_id)
            await uow.commit()
