"""Completing a recovery: the address becomes the account's e-mail, with a new password."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from domain.accounts.errors import EmailAlreadyUsed
from domain.accounts.password_policy import check_password_policy
from domain.accounts.ports import PasswordHasher
from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.recovery.errors import RecoveryLinkInvalid
from domain.recovery.recovery_links import held_by_active_record, recovery_id_of
from domain.secrets import hash_secret
from domain.unit_of_work import (
    HasAccountRecoveries,
    HasAudit,
    HasSessions,
    HasStudentLinks,
    HasUsers,
    UnitOfWorkFactory,
    Writes,
)


@dataclass(frozen=True)
class CompleteAccountRecoveryCommand:
    recovery_id: str
    code: str = field(repr=False)
    password: str = field(repr=False)


class CompleteAccountRecoveryPorts(
    Writes, HasAccountRecoveries, HasUsers, HasSessions, HasStudentLinks, HasAudit, Protocol
): ...


class CompleteAccountRecovery:
    """In one transaction: the link is used (one conditional update, so that of two completions at
        once exactly one succeeds; the other, like an unknown, replaced or expired link, gets 410
        ``RECOVERY_LINK_INVALID``), the address becomes the account's e-mail (409
        ``EMAIL_ALREADY_USED`` if another account took it since the request: the link stays usable),
        the password is set, every session of the account is revoked, and ``ACCOUNT_RECOVERED`` is
        audited. The password follows the policy (422 ``INVALID_PASSWORD``), checked first. A link
    whose account an active record holds again (a school listed the pupil since the request) is
    invalid too: the teacher resets that password."""

    def __init__(
        self, uow: UnitOfWorkFactory[CompleteAccountRecoveryPorts], hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, command: CompleteAccountRecoveryCommand) -> None:
        check_password_policy(command.password)
        recovery_id = recovery_id_of(command.recovery_id)
        if recovery_id is None:
            raise RecoveryLinkInvalid()
        new_hash = await self._hasher.hash(command.password)
        now = self._clock.now()
        async with self._uow() as uow:
            recovery = await uow.account_recoveries.complete(recovery_id, hash_secret(command.code), now)
            if recovery is None or await held_by_active_record(uow, recovery.user_id):
                raise RecoveryLinkInvalid()  # a school has listed the pupil again since the request
            owner = await uow.users.find_by_email(recovery.email)
            if owner is not None and owner.id != recovery.user_id:
                raise EmailAlreadyUsed()
            if not await uow.users.set_email(recovery.user_id, recovery.email, now):
                raise RecoveryLinkInvalid()  # the account has had an e-mail address since the request
            await uow.users.set_password(
                recovery.user_id,
                new_hash,
                must_change_password=False,
                temporary_password_expires_at=None,
                now=now,
            )
            await uow.sessions.revoke_all_of_user(recovery.user_id, now)
            await uow.audit.record(
                AuditEvent(
                    type="ACCOUNT_RECOVERED",
                    actor=Actor(recovery.user_id, "user"),
                    occurred_at=now,
                    target_type="user",
                    target_id=recovery.user_id,
                    details={"recovery_id": str(recovery.id)},
                )
            )
            await uow.commit()
