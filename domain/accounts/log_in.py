"""Logging in with a password (OAuth2 password grant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from domain.accounts.entities import TokenPair
from domain.accounts.errors import InvalidCredentials, PixOrgaAccessRequiresMembership
from domain.accounts.ports import AccessTokens, PasswordHasher
from domain.accounts.sessions import open_session
from domain.clock import Clock
from domain.rate_limits import Limit, LimitKey, RateLimiter, record_all, refuse_when_reached
from domain.unit_of_work import HasMemberships, HasSessions, HasUsers, UnitOfWorkFactory, Writes

PIX_ORGA_SCOPE = "pix-orga"


@dataclass(frozen=True)
class LogInCommand:
    login: str
    password: str
    client_address: str
    scopes: frozenset[str] = frozenset()


class LogInPorts(Writes, HasMemberships, HasSessions, HasUsers, Protocol): ...


class LogIn:
    """By e-mail or username, both case-insensitive.

    Failed attempts are counted per login and address, per login, and per address; once a
    limit is reached every attempt answers 429, right password or not, until the window
    passes. Attempts on one login are handled one at a time, so concurrent ones cannot all be
    checked before the failures are counted. With ``scope=pix-orga`` the account needs an active membership.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory[LogInPorts],
        hasher: PasswordHasher,
        tokens: AccessTokens,
        limiter: RateLimiter,
        clock: Clock,
        refresh_ttl: timedelta,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._limiter = limiter
        self._clock = clock
        self._refresh_ttl = refresh_ttl

    async def __call__(self, command: LogInCommand) -> TokenPair:
        login = command.login.strip().lower()
        per_login: list[LimitKey] = [
            (Limit.LOGIN_PER_LOGIN_AND_ADDRESS, (login, command.client_address)),
            (Limit.LOGIN_PER_LOGIN, (login,)),
        ]
        # The attempts on one login go one at a time from the check to the failure's record, so
        # a burst cannot have more attempts checked than the limit; the per-address backstop is
        # not serialised (a whole school logs in from one address).
        async with self._limiter.exclusive(per_login):
            return await self._attempt(
                command, login, [*per_login, (Limit.LOGIN_PER_ADDRESS, (command.client_address,))]
            )

    async def _attempt(self, command: LogInCommand, login: str, keys: list[LimitKey]) -> TokenPair:
        await refuse_when_reached(self._limiter, keys)
        async with self._uow() as uow:
            user = await uow.users.find_by_login(login) if login else None
            ok, new_hash = await self._hasher.verify(command.password, user.password_hash if user else None)
            now = self._clock.now()
            if user is not None and ok and user.temporary_password_expires_at is not None:
                ok = user.temporary_password_expires_at > now
            if user is None or not ok:
                await record_all(self._limiter, keys)
                raise InvalidCredentials()
            if PIX_ORGA_SCOPE in command.scopes and not await uow.memberships.has_active_membership(user.id):
                raise PixOrgaAccessRequiresMembership()
            if new_hash is not None:
                await uow.users.set_password(
                    user.id,
                    new_hash,
                    must_change_password=user.must_change_password,
                    temporary_password_expires_at=user.temporary_password_expires_at,
                    now=now,
                )
            pair = await open_session(uow.sessions, self._tokens, user, now, self._refresh_ttl)
            await uow.commit()
        return pair
