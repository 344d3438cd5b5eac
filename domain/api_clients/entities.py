"""API clients: an organization's integrations (an ENT, a school management suite), calling the API
with the OAuth2 client credentials grant, limited to their organization and their scopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_LIVE_CLIENTS = 10
"""Clients an organization may hold at once (revoked ones do not count): an organization has a
handful of integrations; ten leaves room for a rotation by replacement, and bounds what a stolen
administrator's session can create."""

PREVIOUS_SECRET_OVERLAP = timedelta(hours=24)
"""How long the secret replaced by a rotation still authenticates the client."""

CLIENT_ID_PREFIX = "pxc_"
CLIENT_SECRET_PREFIX = "pxs_"  # noqa: S105 (a prefix, not a secret)


class Scope(StrEnum):
    """What a client's token may reach; every other route refuses it (403 ``INSUFFICIENT_SCOPE``)."""

    STUDENTS_READ = "students:read"
    STUDENTS_IMPORT = "students:import"
    CAMPAIGNS_READ = "campaigns:read"
    WEBHOOKS_MANAGE = "webhooks:manage"


@dataclass(frozen=True, slots=True)
class ApiClient:
    id: int
    organization_id: int
    name: str
    client_id: str
    scopes: frozenset[Scope]
    secret_hash: str
    previous_secret_hash: str | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    created_by_user_id: int | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class NewApiClient:
    organization_id: int
    name: str
    client_id: str
    scopes: frozenset[Scope]
    secret_hash: str
    created_at: datetime
    created_by_user_id: int | None


@dataclass(frozen=True, slots=True)
class CreatedApiClient:
    """A new client and its secret, shown this once: only its hash is kept."""

    client: ApiClient
    client_secret: str


@dataclass(frozen=True, slots=True)
class ClientToken:
    access_token: str
    expires_in: int
    scopes: frozenset[Scope]


@dataclass(frozen=True, slots=True)
class ClientClaims:
    """What a client's access token says: which client (checked live on every request), and the
    scopes granted when it was issued."""

    api_client_id: int
    organization_id: int
    scopes: frozenset[Scope]


def scope_text(scopes: frozenset[Scope]) -> str:
    """RFC 6749's space-separated ``scope``, in a stable order."""
    return " ".join(sorted(scope.value for scope in scopes))
