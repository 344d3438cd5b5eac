"""E-mails to send, written in the same transaction as the change that causes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class QueuedEmail:
    kind: str  # one of domain.notifications.email's kinds
    locale: str
    to: str
    params: dict[str, Any] = field(repr=False)
    invitation_id: int | None = None


class EmailOutbox(Protocol):
    async def enqueue(self, email: QueuedEmail) -> None: ...
