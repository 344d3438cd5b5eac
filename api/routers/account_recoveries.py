"""Account recovery: a pupil who has left school gives a username-only account an e-mail address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from api.client_address import client_key
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.recovery import AccountRecoveryCompletion, AccountRecoveryOut, AccountRecoveryRequest
from api.use_cases import use_case
from domain.recovery.complete_account_recovery import CompleteAccountRecovery, CompleteAccountRecoveryCommand
from domain.recovery.decisions import TypedRecovery
from domain.recovery.read_account_recovery import ReadAccountRecovery, ReadAccountRecoveryCommand
from domain.recovery.request_account_recovery import RequestAccountRecovery, RequestAccountRecoveryCommand

router = APIRouter(prefix=API_PREFIX, tags=["account recovery"])

RecoveryId = Annotated[str, "the id of the e-mail's link"]


@router.post(
    "/account-recoveries",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    response_description="Accepted: the link is on its way to `email`",
    operation_id="request_account_recovery",
    summary="A pupil who has left school recovers a username-only account with a new e-mail address",
    description=(
        "The INE, the birth date and the names (with the matcher's tolerance) must designate imported "
        "records of any school (404 `STUDENT_NOT_FOUND`, never saying which part failed), leading to one "
        "account that no active record holds, that has no e-mail and was never recovered (409 "
        "`ACCOUNT_RECOVERY_NOT_ALLOWED`, `meta.reason`: `NO_ACCOUNT`, `STILL_AT_SCHOOL`, "
        "`ALREADY_RECOVERED`, `HAS_EMAIL`, `SEVERAL_ACCOUNTS`, checked in this order). A single-use link "
        "`{PIX_APP_URL}/recuperer-mon-compte?recovery_id=…&code=…`, valid 24 hours, goes to `email`, and "
        "replaces the previous one. Rate-limited like identity matching (failures counted against the "
        "pupils aimed at and per client address), plus `ACCOUNT_RECOVERY_REQUESTS_PER_ADDRESS`, "
        "`ACCOUNT_RECOVERY_EMAILS_PER_ACCOUNT` and `ACCOUNT_RECOVERY_EMAILS_PER_EMAIL`."
    ),
    responses=problems(
        "STUDENT_NOT_FOUND",
        "ACCOUNT_RECOVERY_NOT_ALLOWED",
        "EMAIL_ALREADY_USED",
        "INVALID_EMAIL",
        "TOO_MANY_REQUESTS",
        "VALIDATION_ERROR",
    ),
)
async def request_account_recovery(
    request: Request,
    request_account_recovery: Annotated[RequestAccountRecovery, Depends(use_case(RequestAccountRecovery))],
    body: AccountRecoveryRequest,
) -> Response:
    await request_account_recovery(
        RequestAccountRecoveryCommand(
            identity=TypedRecovery(body.national_student_id, body.first_name, body.last_name, body.birthdate),
            email=body.email,
            locale=body.locale,
            client_address=client_key(request),
        )
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get(
    "/account-recoveries/{recovery_id}",
    response_model=AccountRecoveryOut,
    operation_id="read_account_recovery",
    summary="The account a recovery link recovers: its first name and its obfuscated username",
    responses=problems("RECOVERY_LINK_INVALID", "VALIDATION_ERROR"),
)
async def read_account_recovery(
    recovery_id: str,
    read_account_recovery: Annotated[ReadAccountRecovery, Depends(use_case(ReadAccountRecovery))],
    code: Annotated[str, Query(min_length=1, max_length=200)],
) -> AccountRecoveryOut:
    view = await read_account_recovery(ReadAccountRecoveryCommand(recovery_id=recovery_id, code=code))
    return AccountRecoveryOut.of(view)


@router.post(
    "/account-recoveries/{recovery_id}/completion",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="complete_account_recovery",
    summary="Complete a recovery: the address becomes the account's e-mail, with a new password",
    description=(
        "Every session of the account is revoked, and `ACCOUNT_RECOVERED` is audited. The link works "
        "once: of two completions at once, one succeeds and the other gets 410."
    ),
    responses=problems("RECOVERY_LINK_INVALID", "INVALID_PASSWORD", "EMAIL_ALREADY_USED", "VALIDATION_ERROR"),
)
async def complete_account_recovery(
    recovery_id: str,
    complete_account_recovery: Annotated[CompleteAccountRecovery, Depends(use_case(CompleteAccountRecovery))],
    body: AccountRecoveryCompletion,
) -> Response:
    await complete_account_recovery(
        CompleteAccountRecoveryCommand(recovery_id=recovery_id, code=body.code, password=body.password)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
