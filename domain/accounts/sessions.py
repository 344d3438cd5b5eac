"""Opening a session: an access token and a refresh token of a new refresh-token family, the session
and its first refresh token stored at once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from domain.accounts.entities import TokenPair, User
from domain.accounts.ports import AccessTokens, SessionRepository
from domain.secrets import hash_secret, new_secret


async def open_session(
    sessions: SessionRepository, tokens: AccessTokens, user: User, now: datetime, refresh_ttl: timedelta
) -> TokenPair:
    session_id = str(uuid.uuid4())
    refresh_token = new_secret()
    await sessions.open(session_id, user.id, now, hash_secret(refresh_token), now + refresh_ttl)
    return _pair(tokens, user, session_id, refresh_token)


async def issue_tokens(
    sessions: SessionRepository,
    tokens: AccessTokens,
    user: User,
    session_id: str,
    now: datetime,
    refresh_ttl: timedelta,
) -> TokenPair:
    refresh_token = new_secret()
    await sessions.add_refresh_token(session_id, hash_secret(refresh_token), now, now + refresh_ttl)
    return _pair(tokens, user, session_id, refresh_token)


def _pair(tokens: AccessTokens, user: User, session_id: str, refresh_token: str) -> TokenPair:
    access_token, expires_in = tokens.issue(user.id, session_id)
    return TokenPair(access_token, expires_in, refresh_token, user.must_change_password)
