"""The SQL unit of work: one connection, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.db.grouped_insert import GroupedInsert
from infrastructure.db.queries.accounts import SqlAccountQueries
from infrastructure.db.queries.api_clients import SqlApiClientQueries
from infrastructure.db.queries.audit import SqlAuditQueries
from infrastructure.db.queries.campaigns import SqlCampaignQueries
from infrastructure.db.queries.joining import SqlJoiningQueries
from infrastructure.db.queries.organizations import SqlOrganizationQueries
from infrastructure.db.queries.students import SqlStudentQueries
from infrastructure.db.queries.webhooks import SqlWebhookQueries
from infrastructure.db.repositories.account_recoveries import SqlAccountRecoveryRepository
from infrastructure.db.repositories.api_clients import SqlApiClientRepository
from infrastructure.db.repositories.audit import SqlAuditLog
from infrastructure.db.repositories.campaigns import (
    RECORD_MATCH,
    SqlCampaignRepository,
    SqlIdentityMatchLog,
    SqlParticipationRepository,
)
from infrastructure.db.repositories.invitations import SqlInvitationRepository
from infrastructure.db.repositories.memberships import SqlMembershipRepository
from infrastructure.db.repositories.organizations import SqlOrganizationRepository
from infrastructure.db.repositories.outbox import SqlEmailOutbox
from infrastructure.db.repositories.password_resets import SqlPasswordResetRepository
from infrastructure.db.repositories.sessions import SqlSessionRepository
from infrastructure.db.repositories.student_imports import SqlStudentImportRepository
from infrastructure.db.repositories.student_links import SqlStudentLinkRepository
from infrastructure.db.repositories.students import SqlStudentRepository
from infrastructure.db.repositories.users import SqlUserRepository
from infrastructure.db.repositories.webhooks import SqlWebhookEndpointRepository, SqlWebhookEventLog


class SqlUnitOfWork:
    users: SqlUserRepository
    sessions: SqlSessionRepository
    organizations: SqlOrganizationRepository
    memberships: SqlMembershipRepository
    invitations: SqlInvitationRepository
    password_resets: SqlPasswordResetRepository
    outbox: SqlEmailOutbox
    audit: SqlAuditLog
    students: SqlStudentRepository
    student_imports: SqlStudentImportRepository
    # Campaigns and joining
    campaigns: SqlCampaignRepository
    participations: SqlParticipationRepository
    match_decisions: SqlIdentityMatchLog
    student_links: SqlStudentLinkRepository
    account_recoveries: SqlAccountRecoveryRepository
    # Webhooks
    webhook_endpoints: SqlWebhookEndpointRepository
    webhook_events: SqlWebhookEventLog
    # What the lists and searches read
    account_queries: SqlAccountQueries
    audit_queries: SqlAuditQueries
    campaign_queries: SqlCampaignQueries
    joining_queries: SqlJoiningQueries
    organization_queries: SqlOrganizationQueries
    student_queries: SqlStudentQueries
    # API clients
    api_clients: SqlApiClientRepository
    api_client_queries: SqlApiClientQueries
    webhook_queries: SqlWebhookQueries

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        statement_at_a_time: bool = False,
        decisions: GroupedInsert | None = None,
    ) -> None:
        """``statement_at_a_time``: on PostgreSQL, no transaction around the statements (no
        ``BEGIN``/``COMMIT`` round trips); each statement is atomic on its own, the reads see what
        was committed when each ran, and the identity-matching decisions recorded are held until
        ``commit()``, which writes them in one statement, with those of the other units of work
        sharing ``decisions`` that commit meanwhile. For a use case that reads, then writes only
        that record (the identity match): rolled back unless committed still holds, since nothing
        is written before ``commit()``. Ignored on SQLite (no round trips to save), where the unit
        of work is the usual transaction."""
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._statement_at_a_time = statement_at_a_time and engine.dialect.name == "postgresql"
        self._decisions = (decisions or GroupedInsert(RECORD_MATCH)) if self._statement_at_a_time else None

    async def __aenter__(self) -> Self:
        connection = await self._engine.connect()
        try:
            if self._statement_at_a_time:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                await connection.begin()
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.users = SqlUserRepository(connection)
        self.sessions = SqlSessionRepository(connection)
        self.organizations = SqlOrganizationRepository(connection)
        self.memberships = SqlMembershipRepository(connection)
        self.invitations = SqlInvitationRepository(connection)
        self.password_resets = SqlPasswordResetRepository(connection)
        self.outbox = SqlEmailOutbox(connection)
        self.audit = SqlAuditLog(connection)
        self.students = SqlStudentRepository(connection)
        self.student_imports = SqlStudentImportRepository(connection)
        self.campaigns = SqlCampaignRepository(connection)
        self.participations = SqlParticipationRepository(connection)
        self.match_decisions = SqlIdentityMatchLog(connection, held=self._decisions)
        self.student_links = SqlStudentLinkRepository(connection)
        self.account_recoveries = SqlAccountRecoveryRepository(connection)
        self.webhook_endpoints = SqlWebhookEndpointRepository(connection)
        self.webhook_events = SqlWebhookEventLog(connection)
        self.account_queries = SqlAccountQueries(connection)
        self.audit_queries = SqlAuditQueries(connection)
        self.campaign_queries = SqlCampaignQueries(connection)
        self.joining_queries = SqlJoiningQueries(connection)
        self.organization_queries = SqlOrganizationQueries(connection)
        self.student_queries = SqlStudentQueries(connection)
        self.api_clients = SqlApiClientRepository(connection)
        self.api_client_queries = SqlApiClientQueries(connection)
        self.webhook_queries = SqlWebhookQueries(connection)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    async def commit(self) -> None:
        assert self._connection is not None, "commit() outside the unit of work"
        if self._statement_at_a_time:
            await self.match_decisions.write_held()
        else:
            await self._connection.commit()

    @property
    def connection(self) -> AsyncConnection:
        assert self._connection is not None
        return self._connection
