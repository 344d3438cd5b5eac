"""A recovery request: the link sent to the new address, stored with the hash of its code."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

RECOVERY_LINK_TTL: Final = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class AccountRecovery:
    id: uuid.UUID
    user_id: int
    email: str = dataclasses.field(repr=False)
    code_hash: str = dataclasses.field(repr=False)
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    replaced_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        """Neither used, nor replaced by a newer request, nor expired."""
        return self.used_at is None and self.replaced_at is None and now < self.expires_at
