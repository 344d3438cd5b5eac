"""Support accounts, created by an operator from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import NewUser, User
from domain.accounts.errors import InvalidEmail
from domain.accounts.password_policy import check_password_policy
from domain.accounts.ports import PasswordHasher
from domain.clock import Clock
from domain.organizations.email_addresses import normalise_email
from domain.unit_of_work import HasUsers, UnitOfWorkFactory, Writes


@dataclass(frozen=True)
class CreateSupportUserCommand:
    email: str
    first_name: str
    last_name: str
    password: str


class CreateSupportUserPorts(Writes, HasUsers, Protocol): ...


class CreateSupportUser:
    """A user with the SUPPORT role; the same password policy as everyone."""

    def __init__(
        self, uow: UnitOfWorkFactory[CreateSupportUserPorts], hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, command: CreateSupportUserCommand) -> User:
        email = normalise_email(command.email)
        if email is None:
            raise InvalidEmail(meta={"field": "email"})
        check_password_policy(command.password)
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
                    locale="fr",
                    created_at=now,
                    is_support=True,
                )
            )
            await uow.commit()
        return user
