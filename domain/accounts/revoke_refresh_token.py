"""Logging out: revoking a refresh token ends its whole session."""

from __future__ import annotations

from typing import Protocol

from domain.clock import Clock
from domain.secrets import hash_secret
from domain.unit_of_work import HasSessions, UnitOfWorkFactory, Writes


class RevokeRefreshTokenPorts(Writes, HasSessions, Protocol): ...


class RevokeRefreshToken:
    """Always succeeds, whether the token exists or not (RFC 7009): nothing is revealed.

    Access tokens of the session stop working at once too, as every request checks its session.
    """

    def __init__(self, uow: UnitOfWorkFactory[RevokeRefreshTokenPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, refresh_token: str) -> None:
        async with self._uow() as uow:
            stored = await uow.sessions.find_refresh_token(hash_secret(refresh_token))
            if stored is not None and stored.session_revoked_at is None:
                await uow.sessions.revoke(stored.session_id, self._clock.now())
                await uow.commit()
