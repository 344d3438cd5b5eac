"""What support's search of the audit log reads: nothing a rule decides on."""

from __future__ import annotations

from typing import Protocol

from domain.audit.events import AuditFilter, StoredAuditEvent
from domain.pagination import Page, PageRequest


class AuditQueries(Protocol):
    """What support's search of the audit log reads."""

    async def search(self, criteria: AuditFilter, page: PageRequest) -> Page[StoredAuditEvent]: ...
