"""Who may call an organization's routes, decided before the request's body is validated or read
by a use case: FastAPI solves these dependencies before it validates body fields, so an
anonymous caller, a non-member and a member asking for an administrator's route get 401, 404
``ORGANIZATION_NOT_FOUND`` and 403 ``FORBIDDEN`` whatever they send. (The JSON itself is decoded
before, within ``MAX_REQUEST_BYTES``.)

An organization's router declares ``dependencies=[MEMBERS_ONLY]``; its administrators' routes add
``dependencies=[ADMINS_ONLY]`` (the membership is read once per request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.auth import CurrentViewer
from api.use_cases import use_case
from domain.access import AuthorizeOrganizationAccess, OrganizationAccess, require_admin


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


MEMBERS_ONLY = Depends(organization_member)
ADMINS_ONLY = Depends(organization_admin)
