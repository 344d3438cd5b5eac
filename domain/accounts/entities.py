from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    last_name: str
    email: str | None
    username: str | None
    password_hash: str
    must_change_password: bool
    temporary_password_expires_at: datetime | None
    terms_accepted_at: datetime | None
    pix_orga_terms_accepted_at: datetime | None
    locale: str
    is_support: bool
    created_at: datetime
    updated_at: datetime

    @property
    def pix_orga_terms_accepted(self) -> bool:
        return self.pix_orga_terms_accepted_at is not None


@dataclass(frozen=True, slots=True)
class NewUser:
    first_name: str
    last_name: str
    email: str | None
    username: str | None
    password_hash: str
    terms_accepted_at: datetime | None
    locale: str
    created_at: datetime
    is_support: bool = False
    must_change_password: bool = False


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    id: int
    session_id: str
    user_id: int
    expires_at: datetime
    used_at: datetime | None
    session_revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller of a request: the account, and the session its token belongs to."""

    user: User
    session_id: str


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    must_change_password: bool
