"""Who is calling: dependencies that read the bearer token.

A token is a person's (``Viewer``) or an organization's API client's (``ClientCaller``). Deny by
default: a person's routes take ``CurrentViewer`` and the like, which refuse a client's token (403
``INSUFFICIENT_SCOPE``); a route a client may call says so by taking a caller with its scope
(``StudentsReader``, ``StudentsImporter``, ``CampaignsReader``, ``WebhooksManager``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlowPassword
from fastapi.openapi.models import OAuthFlows as OAuthFlowsModel
from fastapi.security import OAuth2, SecurityScopes
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import HTTPConnection

from api.use_cases import use_case
from domain.access import Caller, ClientCaller
from domain.accounts.authenticate import Authenticate
from domain.accounts.entities import Viewer
from domain.accounts.errors import PasswordChangeRequired, SupportRoleRequired
from domain.api_clients.authenticate_client import AuthenticateClient
from domain.api_clients.entities import Scope
from domain.api_clients.errors import InsufficientScope
from domain.errors import Unauthenticated

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 (a path)

SCOPE_DESCRIPTIONS = {
    Scope.STUDENTS_READ.value: "Read the students, the divisions and the import history",
    Scope.STUDENTS_IMPORT.value: "Push a roster (SIECLE, CSV or JSON) to the student import",
    Scope.CAMPAIGNS_READ.value: "Read the campaigns and their participations",
    Scope.WEBHOOKS_MANAGE.value: "Manage the organization's webhook endpoints",
}


class BearerToken(OAuth2):
    """The bearer token of ``POST /auth/token``: the password flow for people (the docs' "Authorize"
    button), the client credentials flow for API clients."""

    def __init__(self) -> None:
        flows = OAuthFlowsModel(
            password=OAuthFlowPassword(tokenUrl=TOKEN_URL, scopes={}),
            clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=SCOPE_DESCRIPTIONS),
        )
        super().__init__(flows=flows, scheme_name="OAuth2", auto_error=False)

    async def __call__(self, request: HTTPConnection) -> str | None:
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "bearer" or not token:
            return None
        return token


oauth2_scheme = BearerToken()


async def viewer_allowing_password_change(
    authenticate: Annotated[Authenticate, Depends(use_case(Authenticate))],
    authenticate_client: Annotated[AuthenticateClient, Depends(use_case(AuthenticateClient))],
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Viewer:
    """Any logged-in account, even one that must change its temporary password; never a client."""
    if not token:
        raise Unauthenticated()
    if await authenticate_client(token) is not None:
        raise InsufficientScope()
    return await authenticate(token)


async def current_viewer(viewer: Annotated[Viewer, Depends(viewer_allowing_password_change)]) -> Viewer:
    """A logged-in account that may use the service (403 until a temporary password is changed)."""
    if viewer.user.must_change_password:
        raise PasswordChangeRequired()
    return viewer


async def support_viewer(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    if not viewer.user.is_support:
        raise SupportRoleRequired()
    return viewer


async def authenticated_caller(
    security_scopes: SecurityScopes,
    authenticate: Annotated[Authenticate, Depends(use_case(Authenticate))],
    authenticate_client: Annotated[AuthenticateClient, Depends(use_case(AuthenticateClient))],
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Caller:
    """A person who may use the service, or an API client holding one of the scopes the route
    declares (``Security(authenticated_caller, scopes=[...])``); a route declaring none refuses
    every client (403 ``INSUFFICIENT_SCOPE``)."""
    if not token:
        raise Unauthenticated()
    client = await authenticate_client(token)
    if client is not None:
        return require_scope(client, security_scopes.scopes)
    viewer = await authenticate(token)
    if viewer.user.must_change_password:
        raise PasswordChangeRequired()
    return viewer


def require_scope(client: ClientCaller, declared: list[str]) -> ClientCaller:
    if not any(scope.value in declared for scope in client.scopes):
        raise InsufficientScope()
    return client


ViewerAllowingPasswordChange = Annotated[Viewer, Depends(viewer_allowing_password_change)]
CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
SupportViewer = Annotated[Viewer, Depends(support_viewer)]
# The callers of the routes open to API clients, one per scope (a person passes as before).
StudentsReader = Annotated[Caller, Security(authenticated_caller, scopes=[Scope.STUDENTS_READ.value])]
StudentsImporter = Annotated[Caller, Security(authenticated_caller, scopes=[Scope.STUDENTS_IMPORT.value])]
CampaignsReader = Annotated[Caller, Security(authenticated_caller, scopes=[Scope.CAMPAIGNS_READ.value])]
WebhooksManager = Annotated[Caller, Security(authenticated_caller, scopes=[Scope.WEBHOOKS_MANAGE.value])]
