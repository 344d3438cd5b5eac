"""Support archives an organization: no new invitation, import or campaign; pending invitations cancelled."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.organizations.entities import Organization
from domain.organizations.errors import OrganizationNotFound
from domain.unit_of_work import HasAudit, HasInvitations, HasOrganizations, UnitOfWorkFactory, Writes


class ArchiveOrganizationPorts(Writes, HasOrganizations, HasInvitations, HasAudit, Protocol): ...


class ArchiveOrganization:
    """Idempotent: archiving an archived organization changes nothing."""

    def __init__(self, uow: UnitOfWorkFactory[ArchiveOrganizationPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, organization_id: int) -> Organization:
        actor = require_support(viewer)
        now = self._clock.now()
        async with self._uow() as uow:
            organization = await uow.organizations.get(organization_id)
            if organization is None:
                raise OrganizationNotFound()
            if organization.archived_at is None:
                await uow.organizations.archive(organization_id, now)
                cancelled = await uow.invitations.cancel_all_pending(organization_id, now)
                await uow.audit.record(
                    AuditEvent(
                        type="ORGANIZATION_ARCHIVED",
                        actor=actor,
                        occurred_at=now,
                        organization_id=organization_id,
                        target_type="organization",
                        target_id=organization_id,
                        details={"cancelled_invitations": cancelled},
                    )
                )
                await uow.commit()
                organization = await uow.organizations.get(organization_id)
                assert organization is not None
        return organization
