"""Following a recovery link: whose account it recovers, so that the pupil recognises it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Protocol

from domain.accounts.login_hint import obfuscate_login
from domain.clock import Clock
from domain.recovery.errors import RecoveryLinkInvalid
from domain.recovery.recovery_links import held_by_active_record, recovery_id_of
from domain.secrets import hash_secret
from domain.unit_of_work import HasAccountRecoveries, HasStudentLinks, HasUsers, Reads, UnitOfWorkFactory


@dataclass(frozen=True)
class ReadAccountRecoveryCommand:
    recovery_id: str
    code: str = field(repr=False)


@dataclass(frozen=True)
class AccountRecoveryView:
    first_name: str = field(repr=False)
    login_hint: str = field(repr=False)


class ReadAccountRecoveryPorts(Reads, HasAccountRecoveries, HasUsers, HasStudentLinks, Protocol): ...


class ReadAccountRecovery:
    """The account's first name and its obfuscated username, while the link is usable: the right
    code, neither used nor replaced nor expired, for an account still without e-mail that no active
    record holds again (410 ``RECOVERY_LINK_INVALID`` otherwise, whichever the reason). Changes
    nothing."""

    def __init__(self, uow: UnitOfWorkFactory[ReadAccountRecoveryPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: ReadAccountRecoveryCommand) -> AccountRecoveryView:
        recovery_id = recovery_id_of(command.recovery_id)
        if recovery_id is None:
            raise RecoveryLinkInvalid()
        now = self._clock.now()
        async with self._uow() as uow:
            recovery = await uow.account_recoveries.get(recovery_id)
            if (
                recovery is None
                or not hmac.compare_digest(recovery.code_hash, hash_secret(command.code))
                or not recovery.is_usable(now)
            ):
                raise RecoveryLinkInvalid()
            user = await uow.users.get(recovery.user_id)
            if user is None or user.email is not None or await held_by_active_record(uow, user.id):
                raise RecoveryLinkInvalid()
            return AccountRecoveryView(user.first_name, obfuscate_login(user.username or ""))
