"""A pupil who has left school asks to recover their username-only account with a new e-mail address."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.accounts.errors import EmailAlreadyUsed, InvalidEmail
from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.joining.errors import StudentNotFound
from domain.joining.steps import LimitKeys, MatchGuard
from domain.notifications.email import ACCOUNT_RECOVERY
from domain.notifications.outbox import QueuedEmail
from domain.organizations.email_addresses import normalise_email
from domain.rate_limits import Limit, RateLimiter, acquire_all, refuse_when_reached
from domain.recovery.decisions import (
    AccountFacts,
    TypedRecovery,
    candidate_of,
    identity_records,
    normalise_national_id,
    recovery_decision,
)
from domain.recovery.entities import RECOVERY_LINK_TTL, AccountRecovery
from domain.recovery.errors import AccountRecoveryNotAllowed
from domain.recovery.recovery_links import held_by_active_record
from domain.secrets import hash_secret, new_secret
from domain.students.entities import Student
from domain.unit_of_work import (
    HasAccountRecoveries,
    HasAudit,
    HasOutbox,
    HasStudentLinks,
    HasUsers,
    UnitOfWorkFactory,
    Writes,
)


@dataclass(frozen=True)
class RequestAccountRecoveryCommand:
    identity: TypedRecovery
    email: str = field(repr=False)
    locale: str | None
    client_address: str = field(repr=False)


class RequestAccountRecoveryPorts(
    Writes, HasAccountRecoveries, HasStudentLinks, HasUsers, HasOutbox, HasAudit, Protocol
): ...


class RequestAccountRecovery:
    """The typed INE, birth date and names must designate imported records (404
    ``STUDENT_NOT_FOUND`` otherwise, counted by the matching's brute-force guard against the
    pupils aimed at), which lead to one account that may be recovered (409
    ``ACCOUNT_RECOVERY_NOT_ALLOWED`` with the reason otherwise), and the address must be no other
    account's (409 ``EMAIL_ALREADY_USED``). Then a single-use link valid 24 hours goes to the
    address, replacing the account's previous one. Every request counts per client address;
    e-mails count per account and per address."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[RequestAccountRecoveryPorts],
        guard: MatchGuard,
        limiter: RateLimiter,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._limiter = limiter
        self._clock = clock

    async def __call__(self, command: RequestAccountRecoveryCommand) -> None:
        await acquire_all(
            self._limiter, [(Limit.ACCOUNT_RECOVERY_REQUESTS_PER_ADDRESS, (command.client_address,))]
        )
        keys = await self._guard.admit(command.client_address)
        email = normalise_email(command.email)
        if email is None:
            raise InvalidEmail()
        async with AsyncExitStack() as held:
            await self._attempt(command, email, keys, held)

    async def _attempt(
        self, command: RequestAccountRecoveryCommand, email: str, keys: LimitKeys, held: AsyncExitStack
    ) -> None:
        typed = command.identity
        national_id = normalise_national_id(typed.national_student_id)
        now = self._clock.now()
        async with self._uow() as uow:
            records = await uow.account_recoveries.records_of(national_id)
            unaimed = ("recovery", hashlib.sha256(national_id.encode()).hexdigest())
            keys += await self._guard.aim_at_records(
                [candidate_of(r) for r in records], typed.names, unaimed, held
            )
            matched = identity_records(records, typed)
            if matched:
                await self._recover(uow, matched, email, command.locale, now)
                return
        await self._guard.count_not_found(keys)
        raise StudentNotFound()

    async def _recover(
        self,
        uow: RequestAccountRecoveryPorts,
        matched: list[Student],
        email: str,
        locale: str | None,
        now: datetime,
    ) -> None:
        accounts: dict[int, AccountFacts] = {}
        for user_id in {r.user_id for r in matched if r.user_id is not None}:
            user = await uow.users.get(user_id)
            assert user is not None
            accounts[user_id] = AccountFacts(
                user_id=user_id,
                has_email=user.email is not None,
                held_by_active_record=await held_by_active_record(uow, user_id),
                recovered=await uow.account_recoveries.was_recovered(user_id),
            )
        decision = recovery_decision(matched, accounts)
        if decision.refusal is not None:
            raise AccountRecoveryNotAllowed(decision.refusal)
        assert decision.user_id is not None
        owner = await uow.users.find_by_email(email)
        if owner is not None:
            raise EmailAlreadyUsed()
        user = await uow.users.get(decision.user_id)
        assert user is not None
        emails: LimitKeys = [
            (Limit.ACCOUNT_RECOVERY_EMAILS_PER_ACCOUNT, (str(user.id),)),
            (Limit.ACCOUNT_RECOVERY_EMAILS_PER_EMAIL, (email,)),
        ]
        # Checked together first, so that an e-mail refused by one limit is not counted by the other;
        # then counted, each checked again atomically against concurrent requests.
        await refuse_when_reached(self._limiter, emails)
        await acquire_all(self._limiter, emails)
        code = new_secret()
        recovery = AccountRecovery(
            id=uuid.uuid4(),
            user_id=user.id,
            email=email,
            code_hash=hash_secret(code),
            created_at=now,
            expires_at=now + RECOVERY_LINK_TTL,
        )
        await uow.account_recoveries.add(recovery)
        await uow.outbox.enqueue(
            QueuedEmail(
                kind=ACCOUNT_RECOVERY,
                locale=locale or user.locale,
                to=email,
                params={
                    "recovery_id": str(recovery.id),
                    "code": code,
                    "expires_at": recovery.expires_at.isoformat(),
                },
            )
        )
        await uow.audit.record(
            AuditEvent(
                type="ACCOUNT_RECOVERY_REQUESTED",
                actor=Actor.anonymous(),
                occurred_at=now,
                target_type="user",
                target_id=user.id,
                details={"recovery_id": str(recovery.id)},
            )
        )
        await uow.commit()
