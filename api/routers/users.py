from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.auth import CurrentViewer, ViewerAllowingPasswordChange
from api.client_address import client_key
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.accounts import MeOut, PasswordChangeRequest, SignUpRequest, UserOut
from api.use_cases import use_case
from domain.accounts.accept_pix_orga_terms import AcceptPixOrgaTerms
from domain.accounts.change_password import ChangePassword, ChangePasswordCommand
from domain.accounts.get_my_account import GetMyAccount
from domain.accounts.register_user import RegisterUser, RegisterUserCommand

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"])

AUTHENTICATED = ("UNAUTHENTICATED",)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="create_user",
    summary="Sign up",
    description=(
        "Rate-limited per client address, an IPv6 client by its /64 (`SIGNUPS_PER_ADDRESS`, default 20 an "
        "hour): every sign-up that passes the input checks counts, whatever its outcome; over the limit, 429 "
        "`TOO_MANY_REQUESTS` with `Retry-After`."
    ),
    responses=problems(
        "EMAIL_ALREADY_USED",
        "INVALID_PASSWORD",
        "TERMS_NOT_ACCEPTED",
        "INVALID_EMAIL",
        "VALIDATION_ERROR",
        "TOO_MANY_REQUESTS",
    ),
)
async def create_user(
    request: Request,
    register_user: Annotated[RegisterUser, Depends(use_case(RegisterUser))],
    body: SignUpRequest,
) -> UserOut:
    user = await register_user(
        RegisterUserCommand(
            first_name=body.first_name,
            last_name=body.last_name,
            email=body.email,
            password=body.password,
            accept_terms=body.accept_terms,
            client_address=client_key(request),
            locale=body.locale,
        )
    )
    return UserOut.of(user)


@router.get(
    "/me",
    operation_id="get_me",
    summary="My account and my memberships",
    responses=problems(*AUTHENTICATED),
)
async def get_me(
    get_my_account: Annotated[GetMyAccount, Depends(use_case(GetMyAccount))],
    viewer: ViewerAllowingPasswordChange,
) -> MeOut:
    return MeOut.of_account(await get_my_account(viewer))


@router.put(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="change_my_password",
    summary="Change my password",
    description="Clears `must_change_password`; every other session of the account is revoked.",
    responses=problems(*AUTHENTICATED, "WRONG_CURRENT_PASSWORD", "INVALID_PASSWORD", "VALIDATION_ERROR"),
)
async def change_my_password(
    change_password: Annotated[ChangePassword, Depends(use_case(ChangePassword))],
    body: PasswordChangeRequest,
    viewer: ViewerAllowingPasswordChange,
) -> Response:
    await change_password(
        viewer, ChangePasswordCommand(current_password=body.current_password, new_password=body.new_password)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/me/pix-orga-terms-acceptance",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="accept_pix_orga_terms",
    summary="Accept the Pix Orga terms of service (idempotent)",
    responses=problems(*AUTHENTICATED, "PASSWORD_CHANGE_REQUIRED"),
)
async def accept_pix_orga_terms(
    accept_pix_orga_terms: Annotated[AcceptPixOrgaTerms, Depends(use_case(AcceptPixOrgaTerms))],
    viewer: CurrentViewer,
) -> Response:
    await accept_pix_orga_terms(viewer)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
