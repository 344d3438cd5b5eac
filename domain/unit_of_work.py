"""The transaction boundary: one use case, one unit of work, rolled back unless committed.

A use case declares the repositories it uses. Its module names them in one Protocol built from the
one-repository protocols below (and from helpers' own, like ``MemberPorts`` for the access check)::

    class ImportStudentsPorts(Writes, MemberPorts, HasStudents, HasStudentImports, HasAudit, Protocol): ...

and the use case receives a ``UnitOfWorkFactory[ImportStudentsPorts]``. The SQL unit of work holds
every repository and satisfies each such Protocol structurally (the test fakes hold those the unit
tests need), so nothing is written twice in the adapters, while mypy proves that the use case
touches no other repository, and that one built on ``Reads`` never commits. One protocol per
repository rather than one per context: the use cases of a context use quite different sets (a
list reads one query port, an import uses five repositories), and a per-context union would hide
exactly what this is meant to show.

The write repositories hold what the rules read and write; what only feeds a response (a list, a
search) is read through each context's queries port (``HasStudentQueries``...), in the same
transaction, so that a list still checks membership first.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self, TypeVar

from domain.accounts.ports import PasswordResetRepository, SessionRepository, UserRepository
from domain.accounts.queries import AccountQueries
from domain.api_clients.ports import ApiClientRepository
from domain.api_clients.queries import ApiClientQueries
from domain.audit.events import AuditLog
from domain.audit.queries import AuditQueries
from domain.campaigns.ports import CampaignRepository, ParticipationRepository
from domain.campaigns.queries import CampaignQueries
from domain.joining.ports import IdentityMatchLog, StudentLinkRepository
from domain.joining.queries import JoiningQueries
from domain.notifications.outbox import EmailOutbox
from domain.notifications.webhooks import WebhookEventLog
from domain.organizations.ports import InvitationRepository, MembershipRepository, OrganizationRepository
from domain.organizations.queries import OrganizationQueries
from domain.recovery.ports import AccountRecoveryRepository
from domain.students.ports import StudentImportRepository, StudentRepository
from domain.students.queries import StudentQueries
from domain.webhooks.ports import WebhookEndpointRepository
from domain.webhooks.queries import WebhookQueries


class Reads(Protocol):
    """A transaction that is never committed: what it read is all it gives."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class Writes(Reads, Protocol):
    async def commit(self) -> None: ...


class HasUsers(Protocol):
    @property
    def users(self) -> UserRepository: ...


class HasSessions(Protocol):
    @property
    def sessions(self) -> SessionRepository: ...


class HasPasswordResets(Protocol):
    @property
    def password_resets(self) -> PasswordResetRepository: ...


class HasOrganizations(Protocol):
    @property
    def organizations(self) -> OrganizationRepository: ...


class HasMemberships(Protocol):
    @property
    def memberships(self) -> MembershipRepository: ...


class HasInvitations(Protocol):
    @property
    def invitations(self) -> InvitationRepository: ...


class HasOutbox(Protocol):
    @property
    def outbox(self) -> EmailOutbox: ...


class HasAudit(Protocol):
    @property
    def audit(self) -> AuditLog: ...


class HasStudents(Protocol):
    @property
    def students(self) -> StudentRepository: ...


class HasStudentImports(Protocol):
    @property
    def student_imports(self) -> StudentImportRepository: ...


class HasCampaigns(Protocol):
    @property
    def campaigns(self) -> CampaignRepository: ...


class HasParticipations(Protocol):
    @property
    def participations(self) -> ParticipationRepository: ...


class HasMatchDecisions(Protocol):
    @property
    def match_decisions(self) -> IdentityMatchLog: ...


class HasStudentLinks(Protocol):
    @property
    def student_links(self) -> StudentLinkRepository: ...


class HasAccountRecoveries(Protocol):
    @property
    def account_recoveries(self) -> AccountRecoveryRepository: ...


class HasApiClients(Protocol):
    @property
    def api_clients(self) -> ApiClientRepository: ...


class HasApiClientQueries(Protocol):
    @property
    def api_client_queries(self) -> ApiClientQueries: ...


class HasWebhookEndpoints(Protocol):
    @property
    def webhook_endpoints(self) -> WebhookEndpointRepository: ...


class HasWebhookEvents(Protocol):
    """Where the use cases record the webhook events their changes cause (with the deliveries)."""

    @property
    def webhook_events(self) -> WebhookEventLog: ...


class HasAccountQueries(Protocol):
    @property
    def account_queries(self) -> AccountQueries: ...


class HasAuditQueries(Protocol):
    @property
    def audit_queries(self) -> AuditQueries: ...


class HasCampaignQueries(Protocol):
    @property
    def campaign_queries(self) -> CampaignQueries: ...


class HasJoiningQueries(Protocol):
    @property
    def joining_queries(self) -> JoiningQueries: ...


class HasOrganizationQueries(Protocol):
    @property
    def organization_queries(self) -> OrganizationQueries: ...


class HasStudentQueries(Protocol):
    @property
    def student_queries(self) -> StudentQueries: ...


class HasWebhookQueries(Protocol):
    @property
    def webhook_queries(self) -> WebhookQueries: ...


class UnitOfWork(
    Writes,
    HasUsers,
    HasSessions,
    HasPasswordResets,
    HasOrganizations,
    HasMemberships,
    HasInvitations,
    HasOutbox,
    HasAudit,
    HasStudents,
    HasStudentImports,
    HasCampaigns,
    HasParticipations,
    HasMatchDecisions,
    HasStudentLinks,
    HasAccountRecoveries,
    HasWebhookEndpoints,
    HasWebhookEvents,
    HasAccountQueries,
    HasAuditQueries,
    HasCampaignQueries,
    HasJoiningQueries,
    HasOrganizationQueries,
    HasStudentQueries,
    HasApiClients,
    HasApiClientQueries,
    HasWebhookQueries,
    Protocol,
):
    """Every repository and query port: what the adapters provide, never what a use case asks for."""


U_co = TypeVar("U_co", covariant=True)

UnitOfWorkFactory = Callable[[], U_co]
"""Opens a unit of work offering (at least) ``U_co``: ``UnitOfWorkFactory[ImportPorts]``."""
