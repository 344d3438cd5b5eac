from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security.utils import get_authorization_scheme_param

from api.client_address import client_key
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.accounts import TokenOut
from api.schemas.api_clients import ClientTokenOut
from api.use_cases import use_case
from domain.accounts.log_in import LogIn, LogInCommand
from domain.accounts.refresh_session import RefreshSession
from domain.accounts.revoke_refresh_token import RevokeRefreshToken
from domain.api_clients.errors import InvalidClient
from domain.api_clients.issue_client_token import IssueClientToken, IssueClientTokenCommand
from domain.errors import Unauthenticated

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["authentication"])


@router.post(
    "/token",
    operation_id="create_token",
    summary="Log in (password grant), rotate a refresh token (refresh_token grant), or get an API "
    "client's token (client_credentials grant)",
    description=(
        "OAuth2 token endpoint, form-encoded. `username` is an e-mail address or a username, both "
        "case-insensitive. `scope=pix-orga` requires an active membership. Failed logins are "
        "rate-limited per login and address, per login and per address (429 with `Retry-After`). "
        "A refresh token is good for one use; presenting a used one revokes its whole session.\n\n"
        "`grant_type=client_credentials` (RFC 6749 §4.4): the API client authenticates with HTTP Basic "
        "(`client_id:client_secret`) or the form fields `client_id` and `client_secret`; `scope` is "
        "an optional space-separated subset of its scopes (all of them when absent). The answer has "
        "`scope` and no refresh token. 401 `INVALID_CLIENT` and 400 `INVALID_SCOPE` also carry "
        "RFC 6749's `error` member (`invalid_client`, `invalid_scope`)."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "examples": {
                        "password": {
                            "summary": "Log in",
                            "value": {"username": "marie.curie@ac-paris.fr", "password": "Polonium1898"},
                        },
                        "refresh": {
                            "summary": "Rotate a refresh token",
                            "value": {"grant_type": "refresh_token", "refresh_token": "…"},
                        },
                        "client_credentials": {
                            "summary": "An API client's token",
                            "value": {
                                "grant_type": "client_credentials",
                                "client_id": "pxc_…",
                                "client_secret": "pxs_…",
                                "scope": "students:import",
                            },
                        },
                    }
                }
            }
        }
    },
    responses=problems(
        "INVALID_CREDENTIALS",
        "UNAUTHENTICATED",
        "PIX_ORGA_ACCESS_REQUIRES_MEMBERSHIP",
        "INVALID_CLIENT",
        "INVALID_SCOPE",
        "VALIDATION_ERROR",
        "TOO_MANY_REQUESTS",
    ),
)
async def create_token(
    request: Request,
    refresh_session: Annotated[RefreshSession, Depends(use_case(RefreshSession))],
    log_in: Annotated[LogIn, Depends(use_case(LogIn))],
    issue_client_token: Annotated[IssueClientToken, Depends(use_case(IssueClientToken))],
    grant_type: Annotated[Literal["password", "refresh_token", "client_credentials"], Form()] = "password",
    username: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    scope: Annotated[str, Form(max_length=200)] = "",
    refresh_token: Annotated[str, Form(max_length=200)] = "",
    client_id: Annotated[str, Form(max_length=200)] = "",
    client_secret: Annotated[str, Form(max_length=200)] = "",
) -> TokenOut | ClientTokenOut:
    if grant_type == "client_credentials":
        basic = basic_credentials(request)
        if basic is not None:
            if client_id and client_id != basic[0]:
                raise InvalidClient()  # two different clients named: neither is trusted
            client_id, client_secret = basic
        token = await issue_client_token(
            IssueClientTokenCommand(
                client_id=client_id,
                client_secret=client_secret,
                scope=scope or None,
                client_address=client_key(request),
            )
        )
        return ClientTokenOut.of(token)
    if grant_type == "refresh_token":
        if not refresh_token:
            raise Unauthenticated()
        pair = await refresh_session(refresh_token)
    else:
        pair = await log_in(
            LogInCommand(
                login=username,
                password=password,
                client_address=client_key(request),
                scopes=frozenset(scope.split()),
            )
        )
    return TokenOut(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        must_change_password=pair.must_change_password,
    )


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """``client_id`` and ``client_secret`` from HTTP Basic, each form-urlencoded first as RFC 6749
    §2.3.1 says; None without a Basic header, ``INVALID_CLIENT`` for a malformed one."""
    scheme, encoded = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise InvalidClient() from error
    name, colon, secret = decoded.partition(":")
    if not colon or len(decoded) > 500:
        raise InvalidClient()
    return unquote_plus(name), unquote_plus(secret)


@router.post(
    "/revoke",
    response_class=Response,
    response_description="Revoked, or unknown: no body",
    operation_id="revoke_token",
    summary="Log out: revoke a refresh token and its session",
    description="Always answers 200, whether the token existed, was malformed or missing (RFC 7009).",
    openapi_extra={
        "requestBody": {
            "content": {"application/x-www-form-urlencoded": {"example": {"token": "the refresh token"}}}
        }
    },
    responses=problems("VALIDATION_ERROR"),
)
async def revoke_token(
    revoke_refresh_token: Annotated[RevokeRefreshToken, Depends(use_case(RevokeRefreshToken))],
    token: Annotated[str, Form()] = "",
    token_type_hint: Annotated[str, Form()] = "refresh_token",  # noqa: S107 (RFC 7009 field)
) -> Response:
    # "200 always": a missing, unknown or malformed token reveals nothing either.
    if token:
        await revoke_refresh_token(token)
    return Response(status_code=200)
