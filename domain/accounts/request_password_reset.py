"""Forgotten password: a single-use link by e-mail, valid one hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.notifications.email import PASSWORD_RESET
from domain.notifications.outbox import QueuedEmail
from domain.organizations.email_addresses import normalise_email
from domain.rate_limits import Limit, LimitKey, RateLimiter, acquire_all
from domain.secrets import hash_secret, new_secret
from domain.unit_of_work import HasAudit, HasOutbox, HasPasswordResets, HasUsers, UnitOfWorkFactory, Writes

RESET_LINK_TTL = timedelta(hours=1)


@dataclass(frozen=True)
class RequestPasswordResetCommand:
    email: str
    app: Literal["orga", "app"]
    client_address: str


class RequestPasswordResetPorts(Writes, HasUsers, HasPasswordResets, HasOutbox, HasAudit, Protocol): ...


class RequestPasswordReset:
    """Always "accepted", whether an account has that e-mail or not (no account enumeration).
    Rate-limited per client address and per address asked, so it cannot flood a mailbox."""

    def __init__(
        self, uow: UnitOfWorkFactory[RequestPasswordResetPorts], clock: Clock, limiter: RateLimiter
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._limiter = limiter

    async def __call__(self, command: RequestPasswordResetCommand) -> None:
        email = normalise_email(command.email)
        keys: list[LimitKey] = [(Limit.PASSWORD_RESET_REQUESTS_PER_ADDRESS, (command.client_address,))]
        if email is not None:
            keys.append((Limit.PASSWORD_RESET_REQUESTS_PER_EMAIL, (email,)))
        await acquire_all(self._limiter, keys)
        if email is None:
            return
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.find_by_email(email)
            if user is None:
                return
            token = new_secret()
            await uow.password_resets.add(hash_secret(token), user.id, now, now + RESET_LINK_TTL)
            await uow.outbox.enqueue(
                QueuedEmail(
                    kind=PASSWORD_RESET,
                    locale=user.locale,
                    to=email,
                    params={
                        "token": token,
                        "app": command.app,
                        "expires_at": (now + RESET_LINK_TTL).isoformat(),
                    },
                )
            )
            await uow.audit.record(
                AuditEvent(
                    type="PASSWORD_RESET_REQUESTED",
                    actor=Actor.anonymous(),
                    occurred_at=now,
                    target_type="user",
                    target_id=user.id,
                )
            )
            await uow.commit()
