from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request, Response

from api.client_address import client_key
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.accounts import TokenOut
from api.use_cases import use_case
from domain.accounts.log_in import LogIn, LogInCommand
from domain.accounts.refresh_session import RefreshSession
from domain.accounts.revoke_refresh_token import RevokeRefreshToken
from domain.errors import Unauthenticated

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["authentication"])


@router.post(
    "/token",
    operation_id="create_token",
    summary="Log in (password grant) or rotate a refresh token (refresh_token grant)",
    description=(
        "OAuth2 token endpoint, form-encoded. `username` is an e-mail address or a username, both "
        "case-insensitive. `scope=pix-orga` requires an active membership. Failed logins are "
        "rate-limited per login and address, per login and per address (429 with `Retry-After`). "
        "A refresh token is good for one use; presenting a used one revokes its whole session."
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
                    }
                }
            }
        }
    },
    responses=problems(
        "INVALID_CREDENTIALS",
        "UNAUTHENTICATED",
        "PIX_ORGA_ACCESS_REQUIRES_MEMBERSHIP",
        "VALIDATION_ERROR",
        "TOO_MANY_REQUESTS",
    ),
)
async def create_token(
    request: Request,
    refresh_session: Annotated[RefreshSession, Depends(use_case(RefreshSession))],
    log_in: Annotated[LogIn, Depends(use_case(LogIn))],
    grant_type: Annotated[Literal["password", "refresh_token"], Form()] = "password",
    username: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    scope: Annotated[str, Form(max_length=200)] = "",
    refresh_token: Annotated[str, Form(max_length=200)] = "",
) -> TokenOut:
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
