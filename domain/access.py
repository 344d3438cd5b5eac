"""Who may act: on an organization, checked in a fixed order (membership, terms, role); as support;
and the actor the audit log records for a user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import Viewer
from domain.audit.events import Actor
from domain.organizations.entities import Membership, Organization, Role
from domain.organizations.errors import OrganizationNotFound, PixOrgaTermsNotAccepted, RoleNotAllowed
from domain.unit_of_work import HasMemberships, HasOrganizations, Reads, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class OrganizationAccess:
    organization: Organization
    membership: Membership


class MemberPorts(HasOrganizations, HasMemberships, Protocol):
    """What checking a member's access reads."""


async def require_member(
    uow: MemberPorts, viewer: Viewer, organization_id: int, *, admin: bool = False
) -> OrganizationAccess:
    """An active member (else 404, never a hint that the organization exists), who accepted
    the Pix Orga terms (else 403 ``PIX_ORGA_TERMS_NOT_ACCEPTED``), with the role asked (else 403
    ``FORBIDDEN``). Read from the database on every request, so a removal applies at once."""
    organization = await uow.organizations.get(organization_id)
    membership = await uow.memberships.find(organization_id, viewer.user.id) if organization else None
    if organization is None or membership is None or not membership.is_active:
        raise OrganizationNotFound()
    if not viewer.user.pix_orga_terms_accepted:
        raise PixOrgaTermsNotAccepted()
    access = OrganizationAccess(organization, membership)
    if admin:
        require_admin(access)
    return access


def require_admin(access: OrganizationAccess) -> None:
    if access.membership.role is not Role.ADMIN:
        raise RoleNotAllowed()


class AuthorizeOrganizationAccessPorts(Reads, MemberPorts, Protocol): ...


class AuthorizeOrganizationAccess:
    """Whether the viewer may act on the organization at all (an active member who accepted the
    terms), asked before anything of the request's body is looked at; the role is then checked
    with ``require_admin``. The use cases check again in their own transaction."""

    def __init__(self, uow: UnitOfWorkFactory[AuthorizeOrganizationAccessPorts]) -> None:
        self._uow = uow

    async def __call__(self, viewer: Viewer, organization_id: int) -> OrganizationAccess:
        async with self._uow() as uow:
            return await require_member(uow, viewer, organization_id)


def require_support(viewer: Viewer | None) -> Actor:
    """Support actions come from a SUPPORT user, or from an operator's command line (``None``)."""
    if viewer is None:
        return Actor.cli()
    if not viewer.user.is_support:
        raise RoleNotAllowed()
    return Actor(viewer.user.id, "support")


def user_actor(viewer: Viewer) -> Actor:
    return Actor(viewer.user.id, "support" if viewer.user.is_support else "user")
