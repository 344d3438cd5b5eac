"""The transaction boundary: one use case, one unit of work, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from domain.accounts.ports import PasswordResetRepository, SessionRepository, UserRepository
from domain.audit.events import AuditLog
from domain.campaigns.ports import CampaignRepository, ParticipationRepository
from domain.joining.ports import IdentityMatchLog, StudentLinkRepository
from domain.notifications.outbox import EmailOutbox
from domain.organizations.ports import InvitationRepository, MembershipRepository, OrganizationRepository
from domain.students.ports import StudentImportRepository, StudentRepository


class UnitOfWork(Protocol):
    @property
    def users(self) -> UserRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def organizations(self) -> OrganizationRepository: ...

    @property
    def memberships(self) -> MembershipRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...

    @property
    def password_resets(self) -> PasswordResetRepository: ...

    @property
    def outbox(self) -> EmailOutbox: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def students(self) -> StudentRepository: ...

    @property
    def student_imports(self) -> StudentImportRepository: ...

    # Campaigns and joining
    @property
    def campaigns(self) -> CampaignRepository: ...

    @property
    def participations(self) -> ParticipationRepository: ...

    @property
    def match_decisions(self) -> IdentityMatchLog: ...

    @property
    def student_links(self) -> StudentLinkRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
