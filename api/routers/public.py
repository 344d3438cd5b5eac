"""Anonymous requests that send e-mails: activation requests and forgotten passwords."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.client_address import client_key
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.organizations import PasswordResetBody, PasswordResetRequest, ScoActivationRequest
from api.use_cases import use_case
from domain.accounts.request_password_reset import RequestPasswordReset, RequestPasswordResetCommand
from domain.accounts.reset_password import ResetPassword, ResetPasswordCommand
from domain.organizations.request_sco_activation import RequestScoActivation, RequestScoActivationCommand

router = APIRouter(prefix=API_PREFIX)


@router.post(
    "/sco-activation-requests",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    response_description="Accepted: no body",
    operation_id="request_sco_activation",
    summary="Ask for the activation invitation of a school, by UAI",
    tags=["invitations"],
    description=(
        "The ADMIN invitation goes to the school's official e-mail, never to the requester. Nothing is "
        "sent, and nothing changes, when any invitation e-mail went to that address less than 24 hours ago "
        "(whoever sent it) or when the organization sent its `INVITATIONS_PER_DAY` invitation e-mails of the "
        "last 24 hours: the answer is the same 202. Rate-limited per client address "
        "(`SCO_ACTIVATION_REQUESTS_PER_ADDRESS`)."
    ),
    responses=problems(
        "ORGANIZATION_NOT_FOUND",
        "ORGANIZATION_WITHOUT_EMAIL",
        "ORGANIZATION_ARCHIVED",
        "TOO_MANY_REQUESTS",
        "VALIDATION_ERROR",
    ),
)
async def request_sco_activation(
    request: Request,
    request_sco_activation: Annotated[RequestScoActivation, Depends(use_case(RequestScoActivation))],
    body: ScoActivationRequest,
) -> Response:
    await request_sco_activation(
        RequestScoActivationCommand(uai=body.uai, client_address=client_key(request))
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset-requests",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    response_description="Accepted: no body",
    operation_id="request_password_reset",
    summary="Forgotten password: receive a reset link by e-mail",
    tags=["users"],
    description="Always 202, whether an account has that e-mail or not. The link is valid one hour, once.",
    responses=problems("TOO_MANY_REQUESTS", "VALIDATION_ERROR"),
)
async def request_password_reset(
    request: Request,
    request_password_reset: Annotated[RequestPasswordReset, Depends(use_case(RequestPasswordReset))],
    body: PasswordResetRequest,
) -> Response:
    await request_password_reset(
        RequestPasswordResetCommand(email=body.email, app=body.app, client_address=client_key(request))
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-resets",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="reset_password",
    summary="Set a new password with the link's token",
    tags=["users"],
    responses=problems("RESET_TOKEN_INVALID", "INVALID_PASSWORD", "VALIDATION_ERROR"),
)
async def reset_password(
    reset_password: Annotated[ResetPassword, Depends(use_case(ResetPassword))], body: PasswordResetBody
) -> Response:
    await reset_password(ResetPasswordCommand(token=body.token, new_password=body.new_password))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
