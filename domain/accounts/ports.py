from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.accounts.entities import NewUser, StoredRefreshToken, User


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        """Whether it matches, and a new hash when the stored one uses outdated parameters.

        With no stored hash, spends the same time and answers no (no account enumeration by timing).
        """
        ...


class AccessTokens(Protocol):
    def issue(self, user_id: int, session_id: str) -> tuple[str, int]:
        """A signed access token and its lifetime in seconds."""
        ...

    def read(self, token: str) -> tuple[int, str]:
        """The user id and session id of a valid token; raises ``Unauthenticated`` otherwise."""
        ...


class UserRepository(Protocol):
    async def add(self, user: NewUser) -> User:
        """Raises ``EmailAlreadyUsed`` / ``UsernameAlreadyUsed`` when the unique index refuses it."""
        ...

    async def get(self, user_id: int) -> User | None: ...

    async def find_by_login(self, login: str) -> User | None:
        """By e-mail or username, lower-cased by the caller."""
        ...

    async def find_by_email(self, email: str) -> User | None: ...

    async def set_password(
        self,
        user_id: int,
        password_hash: str,
        *,
        must_change_password: bool,
        temporary_password_expires_at: datetime | None,
        now: datetime,
    ) -> None: ...

    async def accept_pix_orga_terms(self, user_id: int, now: datetime) -> None: ...

    async def set_email(self, user_id: int, email: str, now: datetime) -> bool:
        """Gives an account without e-mail this one (lower-cased); False when the account has one
        already (nothing changed). Raises ``EmailAlreadyUsed`` when the unique index refuses it,
        leaving the transaction usable."""
        ...


class SessionRepository(Protocol):
    async def open(
        self,
        session_id: str,
        user_id: int,
        now: datetime,
        refresh_token_hash: str,
        refresh_expires_at: datetime,
    ) -> None:
        """A new session of ``user_id``, with its first refresh token."""
        ...

    async def account_of(self, session_id: str, user_id: int) -> User | None:
        """The account ``user_id`` when ``session_id`` is its session and is not revoked; else None."""
        ...

    async def add_refresh_token(
        self, session_id: str, token_hash: str, now: datetime, expires_at: datetime
    ) -> None: ...

    async def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None: ...

    async def mark_used(self, token_id: int, now: datetime) -> bool:
        """Mark a refresh token used; False when it already was (a concurrent rotation)."""
        ...

    async def revoke(self, session_id: str, now: datetime) -> None: ...

    async def revoke_all_of_user(
        self, user_id: int, now: datetime, *, except_session: str | None = None
    ) -> None: ...


class PasswordResetRepository(Protocol):
    async def add(self, token_hash: str, user_id: int, now: datetime, expires_at: datetime) -> None: ...

    async def consume(self, token_hash: str, now: datetime) -> int | None:
        """Marks a valid token used and returns its user; None when unknown, used or expired."""
        ...
