"""The invitation link's landing page and its acceptance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from api.auth import CurrentViewer
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.organizations import (
    AcceptInvitationOut,
    AcceptInvitationRequest,
    InvitationLandingOut,
    MembershipOut,
)
from api.use_cases import use_case
from domain.organizations.accept_invitation import AcceptInvitation
from domain.organizations.read_invitation import ReadInvitation

router = APIRouter(prefix=f"{API_PREFIX}/organization-invitations", tags=["invitations"])


@router.get(
    "/{invitation_id}",
    operation_id="read_invitation",
    summary="What an invitation link is for (landing page)",
    responses=problems("INVITATION_NOT_FOUND", "INVITATION_CODE_REPLACED", "VALIDATION_ERROR"),
)
async def read_invitation(
    read_invitation: Annotated[ReadInvitation, Depends(use_case(ReadInvitation))],
    invitation_id: int,
    code: Annotated[str, Query(min_length=1, max_length=200)],
) -> InvitationLandingOut:
    landing = await read_invitation(invitation_id, code)
    return InvitationLandingOut(
        id=landing.id,
        organization_name=landing.organization_name,
        status=landing.status.value,
        role=landing.role.value if landing.role else None,
    )


@router.post(
    "/{invitation_id}/accept",
    status_code=201,
    operation_id="accept_invitation",
    summary="Accept an invitation with the account I am logged in with",
    description=(
        "201 when the membership is created (or re-enabled). 200 with the same membership for the user "
        "who already accepted it, and for an active member (promoted by an ADMIN invitation; otherwise "
        "unchanged, and the invitation stays pending)."
    ),
    responses={
        200: {"model": AcceptInvitationOut, "description": "Already a member, or already accepted by me"},
        **problems(
            "UNAUTHENTICATED",
            "PASSWORD_CHANGE_REQUIRED",
            "INVITATION_NOT_FOUND",
            "INVITATION_ALREADY_ACCEPTED",
            "INVITATION_CANCELLED",
            "INVITATION_EXPIRED",
            "INVITATION_CODE_REPLACED",
            "VALIDATION_ERROR",
        ),
    },
)
async def accept_invitation(
    accept_invitation: Annotated[AcceptInvitation, Depends(use_case(AcceptInvitation))],
    invitation_id: int,
    body: AcceptInvitationRequest,
    viewer: CurrentViewer,
) -> AcceptInvitationOut:
    result = await accept_invitation(viewer, invitation_id, body.code)
    out = AcceptInvitationOut(membership=MembershipOut.of(result.membership, result.organization))
    if not result.created:
        return JSONResponse(out.model_dump(mode="json"), status_code=200)  # type: ignore[return-value]
    return out
