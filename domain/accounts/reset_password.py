"""Setting a new password from a forgotten-password link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.errors import ResetTokenInvalid
from domain.accounts.password_policy import check_password_policy
from domain.accounts.ports import PasswordHasher
from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.secrets import hash_secret
from domain.unit_of_work import HasAudit, HasPasswordResets, HasSessions, HasUsers, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class ResetPasswordCommand:
    token: str
    new_password: str


class ResetPasswordPorts(Writes, HasUsers, HasSessions, HasPasswordResets, HasAudit, Protocol): ...


class ResetPassword:
    """The link works once and for one hour (410 ``RESET_TOKEN_INVALID`` otherwise, whichever
    the reason); the new password follows the policy; every session of the account is revoked
    and a temporary-password obligation is lifted."""

    def __init__(
        self, uow: UnitOfWorkFactory[ResetPasswordPorts], hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, command: ResetPasswordCommand) -> None:
        check_password_policy(command.new_password)
        new_hash = await self._hasher.hash(command.new_password)
        now = self._clock.now()
        async with self._uow() as uow:
            user_id = await uow.password_resets.consume(hash_secret(command.token), now)
            if user_id is None:
                raise ResetTokenInvalid()
            await uow.users.set_password(
                user_id, new_hash, must_change_password=False, temporary_password_expires_at=None, now=now
            )
            await uow.sessions.revoke_all_of_user(user_id, now)
            await uow.audit.record(
                AuditEvent(
                    type="PASSWORD_RESET",
                    actor=Actor(user_id, "user"),
                    occurred_at=now,
                    target_type="user",
                    target_id=user_id,
                )
            )
            await uow.commit()
