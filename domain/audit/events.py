"""The audit trail: append-only, who did what, when, with non-personal details only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Actor:
    """A user, or an operator's command line (``cli``), or the service itself (``system``), or an
    organization's API client (``api_client``, with its id)."""

    user_id: int | None
    label: str  # "user", "support", "cli", "system", "anonymous", "api_client"
    api_client_id: int | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls(None, "cli")

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(None, "anonymous")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    type: str
    actor: Actor
    occurred_at: datetime
    organization_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredAuditEvent:
    id: int
    event: AuditEvent


@dataclass(frozen=True, slots=True)
class AuditFilter:
    organization_id: int | None = None
    actor_id: int | None = None
    type: str | None = None


class AuditLog(Protocol):
    async def record(self, *events: AuditEvent) -> None:
        """The events, in this order (several in one statement)."""
        ...
