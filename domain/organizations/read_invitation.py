"""The landing page of an invitation link: which organization, which role, still usable or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.clock import Clock
from domain.organizations.entities import InvitationStatus, Role
from domain.organizations.invitation_codes import invitation_by_code
from domain.unit_of_work import HasInvitations, HasOrganizations, Reads, UnitOfWorkFactory


@dataclass(frozen=True)
class InvitationLanding:
    id: int
    organization_name: str
    status: InvitationStatus
    role: Role | None


class ReadInvitationPorts(Reads, HasOrganizations, HasInvitations, Protocol): ...


class ReadInvitation:
    def __init__(self, uow: UnitOfWorkFactory[ReadInvitationPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, invitation_id: int, code: str) -> InvitationLanding:
        async with self._uow() as uow:
            invitation = await invitation_by_code(uow, invitation_id, code)
            organization = await uow.organizations.get(invitation.organization_id)
        assert organization is not None
        return InvitationLanding(
            id=invitation.id,
            organization_name=organization.name,
            status=invitation.status_at(self._clock.now()),
            role=invitation.role,
        )
