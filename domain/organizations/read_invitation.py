"""The landing page of an invitation link: which organization, which role, still usable or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.clock import Clock
from domain.organizations.entities import Invitation, InvitationStatus, Role
from domain.organizations.errors import InvitationCodeReplaced, InvitationNotFound
from domain.secrets import hash_secret
from domain.unit_of_work import HasInvitations, HasOrganizations, Reads, UnitOfWorkFactory


async def invitation_by_code(uow: HasInvitations, invitation_id: int, code: str) -> Invitation:
    """The invitation a link points to: a wrong id or code is 404 ``INVITATION_NOT_FOUND``; a
    code replaced by a newer e-mail is 410 ``INVITATION_CODE_REPLACED``."""
    invitation = await uow.invitations.get(invitation_id)
    if invitation is None or not code:
        raise InvitationNotFound()
    code_hash = hash_secret(code)
    if invitation.code_hash != code_hash:
        if await uow.invitations.is_replaced_code(invitation_id, code_hash):
            raise InvitationCodeReplaced()
        raise InvitationNotFound()
    return invitation


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
