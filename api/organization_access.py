"""Who may call an organization's routes, decided before the request's body is validated or read
by a use case: FastAPI solves these dependencies before it validates body fields, so an
anonymous caller, a non-member and a member asking for an administrator's route get 401, 404
``ORGANIZATION_NOT_FOUND`` and 403 ``FORBIDDEN`` whatever they send. (The JSON itself is decoded
before, within ``MAX_REQUEST_BYTES``.)

An organization's router declares ``dependencies=[MEMBERS_ONLY]``; its administrators' routes add
``dependencies=[ADMINS_ONLY]`` (the membership is read once per request). These refuse API clients
(403 ``INSUFFICIENT_SCOPE``). A route open to clients declares instead ``members_or_client(scope)``
or ``admins_or_client(scope)`` (a router with such routes cannot use router-level ``MEMBERS_ONLY``):
a person is checked as before, a client must hold ``scope`` (else 403 ``INSUFFICIENT_SCOPE``) and
belong to the organization (else 404 ``ORGANIZATION_NOT_FOUND``, as a non-member)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Security
from fastapi.security import SecurityScopes

from api.auth import CurrentViewer, authenticated_caller
from api.use_cases import use_case
from domain.access import AuthorizeOrganizationAccess, Caller, OrganizationAccess, require_admin
from domain.api_clients.entities import Scope


async def organization_member(
    authorize: Annotated[AuthorizeOrganizationAccess, Depends(use_case(AuthorizeOrganizationAccess))],
    org_id: int,
    viewer: CurrentViewer,
) -> OrganizationAccess:
    return await authorize(viewer, org_id)


async def organization_admin(
    access: Annotated[OrganizationAccess, Depends(organization_member)],
) -> OrganizationAccess:
    require_admin(access)
    return access


async def organization_caller(
    security_scopes: SecurityScopes,
    authorize: Annotated[AuthorizeOrganizationAccess, Depends(use_case(AuthorizeOrganizationAccess))],
    org_id: int,
    caller: Annotated[Caller, Security(authenticated_caller)],
) -> OrganizationAccess:
    scopes = [Scope(value) for value in security_scopes.scopes]
    return await authorize(caller, org_id, scope=scopes[0] if scopes else None)


async def organization_admin_or_client(
    access: Annotated[OrganizationAccess, Security(organization_caller)],
) -> OrganizationAccess:
    require_admin(access)
    return access


def members_or_client(scope: Scope) -> Any:
    """Members of the organization, or its clients holding ``scope``."""
    return Security(organization_caller, scopes=[scope.value])


def admins_or_client(scope: Scope) -> Any:
    """Administrators of the organization, or its clients holding ``scope``."""
    return Security(organization_admin_or_client, scopes=[scope.value])


MEMBERS_ONLY = Depends(organization_member)
ADMINS_ONLY = Depends(organization_admin)
