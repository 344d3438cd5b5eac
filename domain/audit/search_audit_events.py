"""Support reads the audit trail."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.audit.events import AuditFilter, StoredAuditEvent
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasAuditQueries, Reads, UnitOfWorkFactory


class SearchAuditEventsPorts(Reads, HasAuditQueries, Protocol): ...


class SearchAuditEvents:
    """Newest first, filtered by organization, actor and type."""

    def __init__(self, uow: UnitOfWorkFactory[SearchAuditEventsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, viewer: Viewer, criteria: AuditFilter, page: PageRequest
    ) -> Page[StoredAuditEvent]:
        require_support(viewer)
        async with self._uow() as uow:
            return await uow.audit_queries.search(criteria, page)
