"""API clients: an organization's administrators manage theirs; support lists and revokes any."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.auth import CurrentViewer, SupportViewer
from api.errors import problems
from api.organization_access import ADMINS_ONLY
from api.pagination import PageOut, Paging
from api.routers import ADMIN_PROBLEMS as ADMIN
from api.routers import API_PREFIX
from api.schemas.api_clients import ApiClientIn, ApiClientOut, CreatedApiClientOut, SecretRotationOut
from api.use_cases import use_case
from domain.api_clients.create_api_client import CreateApiClient, CreateApiClientCommand
from domain.api_clients.list_api_clients import ListApiClients
from domain.api_clients.revoke_api_client import RevokeApiClient
from domain.api_clients.rotate_api_client_secret import RotateApiClientSecret
from domain.api_clients.support_list_api_clients import SupportListApiClients
from domain.api_clients.support_revoke_api_client import SupportRevokeApiClient

router = APIRouter(prefix=API_PREFIX, tags=["api clients"])

ORG_CLIENTS = "/organizations/{org_id}/api-clients"
SUPPORT = ("UNAUTHENTICATED", "PASSWORD_CHANGE_REQUIRED", "FORBIDDEN", "INSUFFICIENT_SCOPE")


@router.post(
    ORG_CLIENTS,
    status_code=201,
    operation_id="create_api_client",
    dependencies=[ADMINS_ONLY],
    summary="Create an API client (OAuth2 client credentials); its secret is shown this once",
    description=(
        "Scopes among `students:read`, `students:import`, `campaigns:read`, `webhooks:manage`. "
        "The client then gets tokens at `POST /auth/token` with `grant_type=client_credentials`. "
        "At most 10 live clients per organization (409 `TOO_MANY_API_CLIENTS`)."
    ),
    responses=problems(*ADMIN, "INSUFFICIENT_SCOPE", "TOO_MANY_API_CLIENTS", "VALIDATION_ERROR"),
)
async def create_api_client(
    create: Annotated[CreateApiClient, Depends(use_case(CreateApiClient))],
    org_id: int,
    viewer: CurrentViewer,
    body: ApiClientIn,
) -> CreatedApiClientOut:
    created = await create(
        viewer, CreateApiClientCommand(organization_id=org_id, name=body.name, scopes=frozenset(body.scopes))
    )
    return CreatedApiClientOut.of_created(created)


@router.get(
    ORG_CLIENTS,
    operation_id="list_api_clients",
    dependencies=[ADMINS_ONLY],
    summary="The organization's live API clients, without their secrets (not paginated: 10 at most)",
    responses=problems(*ADMIN, "INSUFFICIENT_SCOPE"),
)
async def list_api_clients(
    list_clients: Annotated[ListApiClients, Depends(use_case(ListApiClients))],
    org_id: int,
    viewer: CurrentViewer,
) -> list[ApiClientOut]:
    return [ApiClientOut.of(client) for client in await list_clients(viewer, org_id)]


@router.post(
    ORG_CLIENTS + "/{api_client_id}/secret-rotations",
    status_code=201,
    operation_id="rotate_api_client_secret",
    dependencies=[ADMINS_ONLY],
    summary="Give the client a new secret; the previous one keeps working for 24 hours",
    responses=problems(*ADMIN, "INSUFFICIENT_SCOPE", "API_CLIENT_NOT_FOUND"),
)
async def rotate_api_client_secret(
    rotate: Annotated[RotateApiClientSecret, Depends(use_case(RotateApiClientSecret))],
    org_id: int,
    api_client_id: int,
    viewer: CurrentViewer,
) -> SecretRotationOut:
    return SecretRotationOut(client_secret=await rotate(viewer, org_id, api_client_id))


@router.delete(
    ORG_CLIENTS + "/{api_client_id}",
    status_code=204,
    response_class=Response,
    operation_id="revoke_api_client",
    dependencies=[ADMINS_ONLY],
    summary="Revoke the client: its tokens stop working at once, its secrets too",
    responses=problems(*ADMIN, "INSUFFICIENT_SCOPE", "API_CLIENT_NOT_FOUND"),
)
async def revoke_api_client(
    revoke: Annotated[RevokeApiClient, Depends(use_case(RevokeApiClient))],
    org_id: int,
    api_client_id: int,
    viewer: CurrentViewer,
) -> Response:
    await revoke(viewer, org_id, api_client_id)
    return Response(status_code=204)


@router.get(
    "/admin/api-clients",
    operation_id="admin_list_api_clients",
    summary="Every API client, revoked ones included, newest first",
    tags=["support"],
    responses=problems(*SUPPORT, "VALIDATION_ERROR"),
)
async def admin_list_api_clients(
    search: Annotated[SupportListApiClients, Depends(use_case(SupportListApiClients))],
    viewer: SupportViewer,
    paging: Paging,
    organization_id: Annotated[int | None, Query(ge=1)] = None,
) -> PageOut[ApiClientOut]:
    return PageOut.of(await search(viewer, organization_id, paging), ApiClientOut.of)


@router.delete(
    "/admin/api-clients/{api_client_id}",
    status_code=204,
    response_class=Response,
    operation_id="admin_revoke_api_client",
    summary="Revoke any organization's API client",
    tags=["support"],
    responses=problems(*SUPPORT, "API_CLIENT_NOT_FOUND"),
)
async def admin_revoke_api_client(
    revoke: Annotated[SupportRevokeApiClient, Depends(use_case(SupportRevokeApiClient))],
    api_client_id: int,
    viewer: SupportViewer,
) -> Response:
    await revoke(viewer, api_client_id)
    return Response(status_code=204)
