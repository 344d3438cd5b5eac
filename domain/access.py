"""Who may act: on an organization, checked in a fixed order (membership, terms, role) for a person,
or (scope, organization) for an API client; as support; and the actor the audit log records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import Viewer
from domain.api_clients.entities import Scope
from domain.api_clients.errors import InsufficientScope
from domain.audit.events import Actor
from domain.organizations.entities import Membership, Organization, Role
from domain.organizations.errors import OrganizationNotFound, PixOrgaTermsNotAccepted, RoleNotAllowed
from domain.unit_of_work import HasMemberships, HasOrganizations, Reads, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ClientCaller:
    """An API client calling with its access token: checked not revoked on every request."""

    api_client_id: int
    organization_id: int
    scopes: frozenset[Scope]


Caller = Viewer | ClientCaller
"""Whoever calls a route: a person (``Viewer``) or an organization's API client."""


@dataclass(frozen=True, slots=True)
class OrganizationAccess:
    organization: Organization
    membership: Membership | None
    """The person's membership; None for an API client."""
    client: ClientCaller | None = None

    @property
    def role(self) -> Role | None:
        return self.membership.role if self.membership else None


class MemberPorts(HasOrganizations, HasMemberships, Protocol):
    """What checking a member's access reads."""


async def require_member(
    uow: MemberPorts,
    caller: Caller,
    organization_id: int,
    *,
    admin: bool = False,
    scope: Scope | None = None,
) -> OrganizationAccess:
    """A person: an active member (else 404, never a hint that the organization exists), who
    accepted the Pix Orga terms (else 403 ``PIX_ORGA_TERMS_NOT_ACCEPTED``), with the role asked
    (else 403 ``FORBIDDEN``). Read from the database on every request, so a removal applies at once.

    An API client: allowed only where the use case names a ``scope`` the client holds (else 403
    ``INSUFFICIENT_SCOPE``: deny by default), then only on its own organization (else the same 404 as
    a non-member). The scope stands for the role: ``admin`` does not apply to a client."""
    if isinstance(caller, ClientCaller):
        return await _require_client(uow, caller, organization_id, scope)
    organization = await uow.organizations.get(organization_id)
    membership = await uow.memberships.find(organization_id, caller.user.id) if organization else None
    if organization is None or membership is None or not membership.is_active:
        raise OrganizationNotFound()
    if not caller.user.pix_orga_terms_accepted:
        raise PixOrgaTermsNotAccepted()
    access = OrganizationAccess(organization, membership)
    if admin:
        require_admin(access)
    return access


async def _require_client(
    uow: MemberPorts, client: ClientCaller, organization_id: int, scope: Scope | None
) -> OrganizationAccess:
    if scope is None or scope not in client.scopes:
        raise InsufficientScope()
    organization = (
        await uow.organizations.get(organization_id) if client.organization_id == organization_id else None
    )
    if organization is None:
        raise OrganizationNotFound()
    return OrganizationAccess(organization, None, client)


def require_admin(access: OrganizationAccess) -> None:
    """A person's role; a client's access was decided by its scope."""
    if access.client is None and access.role is not Role.ADMIN:
        raise RoleNotAllowed()


class AuthorizeOrganizationAccessPorts(Reads, MemberPorts, Protocol): ...


class AuthorizeOrganizationAccess:
    """Whether the caller may act on the organization at all (an active member who accepted the
    terms, or a client of it holding ``scope``), asked before anything of the request's body is
    looked at; a person's role is then checked with ``require_admin``. The use cases check again in
    their own transaction."""

    def __init__(self, uow: UnitOfWorkFactory[AuthorizeOrganizationAccessPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, *, scope: Scope | None = None
    ) -> OrganizationAccess:
        async with self._uow() as uow:
            return await require_member(uow, caller, organization_id, scope=scope)


def require_person(caller: Caller) -> Viewer:
    """A route for people only: an API client's token is refused (403 ``INSUFFICIENT_SCOPE``)."""
    if isinstance(caller, ClientCaller):
        raise InsufficientScope()
    return caller


def require_support(viewer: Viewer | None) -> Actor:
    """Support actions come from a SUPPORT user, or from an operator's command line (``None``)."""
    if viewer is None:
        return Actor.cli()
    if not viewer.user.is_support:
        raise RoleNotAllowed()
    return Actor(viewer.user.id, "support")


def user_actor(viewer: Viewer) -> Actor:
    return Actor(viewer.user.id, "support" if viewer.user.is_support else "user")


def actor_of(caller: Caller) -> Actor:
    """Who the audit log and the history record: the person, or the API client."""
    if isinstance(caller, ClientCaller):
        return Actor(None, "api_client", api_client_id=caller.api_client_id)
    return user_actor(caller)
