"""Who is calling: the account behind an access token, read from the database on every request."""

from __future__ import annotations

from typing import Protocol

from domain.accounts.entities import Viewer
from domain.accounts.ports import AccessTokens
from domain.errors import Unauthenticated
from domain.unit_of_work import HasSessions, Reads, UnitOfWorkFactory


class AuthenticatePorts(Reads, HasSessions, Protocol): ...


class Authenticate:
    """A token is good while it is valid, its session is not revoked and its account exists,
    so logging out or changing one's password takes effect at once, not at expiry."""

    def __init__(self, uow: UnitOfWorkFactory[AuthenticatePorts], tokens: AccessTokens) -> None:
        self._uow = uow
        self._tokens = tokens

    async def __call__(self, access_token: str) -> Viewer:
        user_id, session_id = self._tokens.read(access_token)
        async with self._uow() as uow:
            user = await uow.sessions.account_of(session_id, user_id)
        if user is None:
            raise Unauthenticated()
        return Viewer(user=user, session_id=session_id)
