"""In-memory fakes of the ports, for unit tests of the use cases (no database, no I/O)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from domain.accounts.entities import NewUser, StoredRefreshToken, User
from domain.accounts.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from domain.errors import Unauthenticated
from domain.organizations.entities import UserMembership
from domain.rate_limits import Limit
from infrastructure.rate_limiting import KeyedLocks


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeHasher:
    """``hash:<password>``; hashes starting with ``old:`` verify and ask for an upgrade."""

    async def hash(self, password: str) -> str:
        return f"hash:{password}"

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        if password_hash is None:
            return False, None
        if password_hash.startswith("old:"):
            ok = password_hash == f"old:{password}"
            return ok, (f"hash:{password}" if ok else None)
        return password_hash == f"hash:{password}", None


class FakeTokens:
    def issue(self, user_id: int, session_id: str) -> tuple[str, int]:
        return f"access:{user_id}:{session_id}", 900

    def read(self, token: str) -> tuple[int, str]:
        kind, _, rest = token.partition(":")
        user_id, _, session_id = rest.partition(":")
        if kind != "access" or not user_id.isdigit():
            raise Unauthenticated()
        return int(user_id), session_id


class FakeLimiter:
    def __init__(self, limits: dict[Limit, int] | None = None) -> None:
        self.limits = limits or {}
        self.failures: dict[tuple[Limit, tuple[str, ...]], int] = {}
        self.locks = KeyedLocks()

    async def retry_after(self, limit: Limit, *key: str) -> int | None:
        allowed = self.limits.get(limit)
        if allowed is not None and self.failures.get((limit, key), 0) >= allowed:
            return 60
        return None

    async def record(self, limit: Limit, *key: str) -> None:
        self.failures[(limit, key)] = self.failures.get((limit, key), 0) + 1

    async def try_acquire(self, limit: Limit, *key: str) -> int | None:
        retry_after = await self.retry_after(limit, *key)
        if retry_after is None:
            await self.record(limit, *key)
        return retry_after

    def exclusive(self, keys: Sequence[tuple[Limit, tuple[str, ...]]]) -> AbstractAsyncContextManager[None]:
        return self.locks.hold([f"{limit}:{key}" for limit, key in keys])


@dataclasses.dataclass
class Store:
    users: dict[int, User] = dataclasses.field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    refresh: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    memberships: dict[int, list[UserMembership]] = dataclasses.field(default_factory=dict)
    commits: int = 0


class FakeUsers:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, user: NewUser) -> User:
        for existing in self.store.users.values():
            if user.email and existing.email == user.email.lower():
                raise EmailAlreadyUsed()
            if user.username and existing.username == user.username.lower():
                raise UsernameAlreadyUsed()
        new = User(
            id=len(self.store.users) + 1,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email.lower() if user.email else None,
            username=user.username.lower() if user.username else None,
            password_hash=user.password_hash,
            must_change_password=user.must_change_password,
            temporary_password_expires_at=None,
            terms_accepted_at=user.terms_accepted_at,
            pix_orga_terms_accepted_at=None,
            locale=user.locale,
            is_support=user.is_support,
            created_at=user.created_at,
            updated_at=user.created_at,
        )
        self.store.users[new.id] = new
        return new

    async def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    async def find_by_login(self, login: str) -> User | None:
        return next((u for u in self.store.users.values() if login in (u.email, u.username)), None)

    async def find_by_email(self, email: str) -> User | None:
        return next((u for u in self.store.users.values() if u.email == email), None)

    async def set_password(
        self,
        user_id: int,
        password_hash: str,
        *,
        must_change_password: bool,
        temporary_password_expires_at: datetime | None,
        now: datetime,
    ) -> None:
        self.store.users[user_id] = dataclasses.replace(
            self.store.users[user_id],
            password_hash=password_hash,
            must_change_password=must_change_password,
            temporary_password_expires_at=temporary_password_expires_at,
            updated_at=now,
        )

    async def accept_pix_orga_terms(self, user_id: int, now: datetime) -> None:
        user = self.store.users[user_id]
        if user.pix_orga_terms_accepted_at is None:
            self.store.users[user_id] = dataclasses.replace(user, pix_orga_terms_accepted_at=now)


class FakeSessions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def open(self, session_id: str, user_id: int, now: datetime) -> None:
        self.store.sessions[session_id] = {"user_id": user_id, "revoked_at": None}

    async def is_active(self, session_id: str, user_id: int) -> bool:
        session = self.store.sessions.get(session_id)
        return bool(session and session["user_id"] == user_id and session["revoked_at"] is None)

    async def add_refresh_token(
        self, session_id: str, token_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        self.store.refresh[token_hash] = {
            "id": len(self.store.refresh) + 1,
            "session_id": session_id,
            "expires_at": expires_at,
            "used_at": None,
        }

    async def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        row = self.store.refresh.get(token_hash)
        if row is None:
            return None
        session = self.store.sessions[row["session_id"]]
        return StoredRefreshToken(
            row["id"],
            row["session_id"],
            session["user_id"],
            row["expires_at"],
            row["used_at"],
            session["revoked_at"],
        )

    async def mark_used(self, token_id: int, now: datetime) -> bool:
        for row in self.store.refresh.values():
            if row["id"] == token_id and row["used_at"] is None:
                row["used_at"] = now
                return True
        return False

    async def revoke(self, session_id: str, now: datetime) -> None:
        self.store.sessions[session_id]["revoked_at"] = now

    async def revoke_all_of_user(
        self, user_id: int, now: datetime, *, except_session: str | None = None
    ) -> None:
        for session_id, session in self.store.sessions.items():
            if (
                session["user_id"] == user_id
                and session_id != except_session
                and session["revoked_at"] is None
            ):
                session["revoked_at"] = now


class FakeMemberships:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def has_active_membership(self, user_id: int) -> bool:
        return bool(self.store.memberships.get(user_id))

    async def list_active_for_user(self, user_id: int) -> list[UserMembership]:
        return list(self.store.memberships.get(user_id, []))


class FakeUnitOfWork:
    """Changes are applied at once; ``commit`` only counts (enough for the rules tested here)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.users = FakeUsers(store)
        self.sessions = FakeSessions(store)
        self.memberships = FakeMemberships(store)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.store.commits += 1
