"""Refresh-token rotation (OAuth2 ``refresh_token`` grant)."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from domain.accounts.entities import TokenPair
from domain.accounts.ports import AccessTokens
from domain.accounts.sessions import issue_tokens
from domain.clock import Clock
from domain.errors import Unauthenticated
from domain.secrets import hash_secret
from domain.unit_of_work import HasSessions, HasUsers, UnitOfWorkFactory, Writes


class RefreshSessionPorts(Writes, HasSessions, HasUsers, Protocol): ...


class RefreshSession:
    """A refresh token is good for one use: it is exchanged for a new pair of the same family.

    Presenting a token that was already used means it leaked (or was stolen and used first):
    the whole family (the session) is revoked, so both the thief and the owner must log in
    again. The rotation is a conditional update, so two concurrent uses cannot both succeed.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory[RefreshSessionPorts],
        tokens: AccessTokens,
        clock: Clock,
        refresh_ttl: timedelta,
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._clock = clock
        self._refresh_ttl = refresh_ttl

    async def __call__(self, refresh_token: str) -> TokenPair:
        now = self._clock.now()
        async with self._uow() as uow:
            stored = await uow.sessions.find_refresh_token(hash_secret(refresh_token))
            if stored is None or stored.session_revoked_at is not None or stored.expires_at <= now:
                raise Unauthenticated()
            if stored.used_at is not None or not await uow.sessions.mark_used(stored.id, now):
                await uow.sessions.revoke(stored.session_id, now)
                await uow.commit()
                raise Unauthenticated(meta={"reason": "refresh_token_reused"})
            user = await uow.users.get(stored.user_id)
            if user is None:
                raise Unauthenticated()
            pair = await issue_tokens(
                uow.sessions, self._tokens, user, stored.session_id, now, self._refresh_ttl
            )
            await uow.commit()
        return pair
