"""Sign-up: an account with an e-mail, a password that follows the policy, and the terms accepted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import NewUser, User
from domain.accounts.errors import InvalidEmail, TermsNotAccepted
from domain.accounts.password_policy import check_password_policy
from domain.accounts.ports import PasswordHasher
from domain.clock import Clock
from domain.organizations.email_addresses import normalise_email
from domain.rate_limits import Limit, LimitKey, RateLimiter, acquire_all, refuse_when_reached
from domain.unit_of_work import HasUsers, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class RegisterUserCommand:
    first_name: str
    last_name: str
    email: str
    password: str
    accept_terms: bool
    client_address: str
    locale: str = "fr"


class RegisterUserPorts(Writes, HasUsers, Protocol): ...


class RegisterUser:
    """Creates an account. The e-mail is unique whatever its case (409 ``EMAIL_ALREADY_USED``,
    enforced by the unique index, so two simultaneous sign-ups cannot both win).

    Sign-ups are limited per client address (429 once the limit is reached): each one that gets past
    the input checks is counted, whatever its outcome, since each costs a password hash."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[RegisterUserPorts],
        hasher: PasswordHasher,
        limiter: RateLimiter,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._limiter = limiter
        self._clock = clock

    async def __call__(self, command: RegisterUserCommand) -> User:
        keys: list[LimitKey] = [(Limit.SIGNUPS_PER_ADDRESS, (command.client_address,))]
        await refuse_when_reached(self._limiter, keys)
        email = normalise_email(command.email)
        if email is None:
            raise InvalidEmail(meta={"field": "email"})
        if not command.accept_terms:
            raise TermsNotAccepted()
        check_password_policy(command.password)
        await acquire_all(self._limiter, keys)
        password_hash = await self._hasher.hash(command.password)
        now = self._clock.now()
        async with self._uow() as uow:
            user = await uow.users.add(
                NewUser(
                    first_name=command.first_name.strip(),
                    last_name=command.last_name.strip(),
                    email=email,
                    username=None,
                    password_hash=password_hash,
                    terms_accepted_at=now,
                    locale=command.locale,
                    created_at=now,
                )
            )
            await uow.commit()
        return user
