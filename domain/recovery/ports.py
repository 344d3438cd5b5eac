"""What account recovery needs from storage: the recovery requests, and the imported records of an
INE in every organization."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from domain.recovery.entities import AccountRecovery
from domain.students.entities import Student


class AccountRecoveryRepository(Protocol):
    async def records_of(self, national_student_id: str) -> list[Student]:
        """Every imported record of that INE (upper-case), in every organization, active or
        disabled, by id."""
        ...

    async def add(self, recovery: AccountRecovery) -> None:
        """Stores a new request for the account, replacing (``replaced_at``) the account's live one if
        any: at most one live request per account, whatever the concurrency."""
        ...

    async def get(self, recovery_id: uuid.UUID) -> AccountRecovery | None: ...

    async def complete(self, recovery_id: uuid.UUID, code_hash: str, now: datetime) -> AccountRecovery | None:
        """Marks the request used, in one conditional update, if the code is its code and it is
        neither used, replaced nor expired; returns it, used, else None. Of two completions at
        once, exactly one gets it."""
        ...

    async def was_recovered(self, user_id: int) -> bool:
        """Whether a request for the account was ever completed."""
        ...
