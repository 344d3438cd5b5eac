"""Finding the invitation a link points to, by its id and its code."""

from __future__ import annotations

from domain.organizations.entities import Invitation
from domain.organizations.errors import InvitationCodeReplaced, InvitationNotFound
from domain.secrets import hash_secret
from domain.unit_of_work import HasInvitations


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
