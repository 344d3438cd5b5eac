"""Organizations, their invitations and their members, as their members see them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status

from api.auth import CurrentViewer
from api.errors import problems
from api.organization_access import ADMINS_ONLY, MEMBERS_ONLY
from api.pagination import PageOut, Paging
from api.routers import ADMIN_PROBLEMS as ADMIN
from api.routers import API_PREFIX
from api.routers import MEMBER_PROBLEMS as MEMBER
from api.schemas.organizations import (
    InvitationOut,
    InviteRequest,
    InviteResult,
    MemberOut,
    OrganizationOut,
    RejectedEmail,
    RoleChangeRequest,
)
from api.use_cases import use_case
from domain.organizations.cancel_invitation import CancelInvitation
from domain.organizations.change_member_role import ChangeMemberRole
from domain.organizations.entities import InvitationStatus, Role
from domain.organizations.get_organization import GetOrganization
from domain.organizations.invite_members import InviteMembers, InviteMembersCommand
from domain.organizations.list_invitations import ListInvitations
from domain.organizations.list_members import ListMembers
from domain.organizations.remove_member import RemoveMember
from domain.organizations.resend_invitation import ResendInvitation

router = APIRouter(
    prefix=f"{API_PREFIX}/organizations/{{org_id}}", tags=["organizations"], dependencies=[MEMBERS_ONLY]
)


@router.get("", operation_id="get_organization", summary="My organization", responses=problems(*MEMBER))
async def get_organization(
    get_organization: Annotated[GetOrganization, Depends(use_case(GetOrganization))],
    org_id: int,
    viewer: CurrentViewer,
) -> OrganizationOut:
    return OrganizationOut.of(await get_organization(viewer, org_id))


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    operation_id="invite_members",
    dependencies=[ADMINS_ONLY],
    summary="Invite colleagues by e-mail",
    tags=["invitations"],
    description=(
        "Addresses as a mail client pastes them, at most `INVITATION_EMAILS_PER_REQUEST` (200) entries "
        "at once, duplicates and bad ones included (422 `TOO_MANY_EMAILS`, `meta.max_emails`). A bad address "
        "is rejected (`INVALID_EMAIL`) and the others invited; an address over the organization's daily "
        "limit of invitation e-mails (`INVITATIONS_PER_DAY`, every invitation e-mail counted) is rejected "
        "(`RATE_LIMITED`). An address with a pending invitation gets it again with a new code and expiry."
    ),
    responses=problems(
        *ADMIN, "NO_VALID_EMAIL", "TOO_MANY_EMAILS", "ORGANIZATION_ARCHIVED", "VALIDATION_ERROR"
    ),
)
async def invite_members(
    invite_members: Annotated[InviteMembers, Depends(use_case(InviteMembers))],
    org_id: int,
    body: InviteRequest,
    viewer: CurrentViewer,
) -> InviteResult:
    result = await invite_members(
        viewer,
        InviteMembersCommand(
            organization_id=org_id,
            emails=body.emails,
            role=Role(body.role) if body.role else None,
            locale=body.locale,
        ),
    )
    return InviteResult(
        invitations=[InvitationOut.of(invitation) for invitation in result.invitations],
        rejected=[RejectedEmail(email=r.email, code=r.code) for r in result.rejected],
    )


@router.get(
    "/invitations",
    operation_id="list_invitations",
    dependencies=[ADMINS_ONLY],
    summary="Invitations of the organization",
    tags=["invitations"],
    responses=problems(*ADMIN, "VALIDATION_ERROR"),
)
async def list_invitations(
    list_invitations: Annotated[ListInvitations, Depends(use_case(ListInvitations))],
    org_id: int,
    viewer: CurrentViewer,
    paging: Paging,
    status_: Annotated[
        Literal["PENDING", "EXPIRED", "ACCEPTED", "CANCELLED"],
        Query(alias="status", description="PENDING excludes the expired ones"),
    ] = "PENDING",
) -> PageOut[InvitationOut]:
    page = await list_invitations(viewer, org_id, InvitationStatus(status_), paging)
    return PageOut.of(page, InvitationOut.of)


@router.post(
    "/invitations/{invitation_id}/resend",
    operation_id="resend_invitation",
    dependencies=[ADMINS_ONLY],
    summary="Send a pending invitation again (new code, new expiry)",
    tags=["invitations"],
    description=(
        "429 `TOO_MANY_REQUESTS` within a minute of the last send; 429 `RATE_LIMITED` when the organization "
        "sent its `INVITATIONS_PER_DAY` invitation e-mails of the last 24 hours (`Retry-After`: when one "
        "frees up). Refused, the invitation and its link stay as they were."
    ),
    responses=problems(
        *ADMIN,
        "INVITATION_NOT_FOUND",
        "INVITATION_NOT_PENDING",
        "ORGANIZATION_ARCHIVED",
        "TOO_MANY_REQUESTS",
        "RATE_LIMITED",
    ),
)
async def resend_invitation(
    resend_invitation: Annotated[ResendInvitation, Depends(use_case(ResendInvitation))],
    org_id: int,
    invitation_id: int,
    viewer: CurrentViewer,
) -> InvitationOut:
    return InvitationOut.of(await resend_invitation(viewer, org_id, invitation_id))


@router.delete(
    "/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="cancel_invitation",
    dependencies=[ADMINS_ONLY],
    summary="Cancel a pending invitation",
    tags=["invitations"],
    responses=problems(*ADMIN, "INVITATION_NOT_FOUND", "INVITATION_NOT_CANCELLABLE"),
)
async def cancel_invitation(
    cancel_invitation: Annotated[CancelInvitation, Depends(use_case(CancelInvitation))],
    org_id: int,
    invitation_id: int,
    viewer: CurrentViewer,
) -> Response:
    await cancel_invitation(viewer, org_id, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/memberships",
    operation_id="list_memberships",
    summary="The team",
    tags=["memberships"],
    responses=problems(*MEMBER, "VALIDATION_ERROR"),
)
async def list_memberships(
    list_members: Annotated[ListMembers, Depends(use_case(ListMembers))],
    org_id: int,
    viewer: CurrentViewer,
    paging: Paging,
) -> PageOut[MemberOut]:
    page = await list_members(viewer, org_id, paging)
    return PageOut.of(page, MemberOut.of)


@router.patch(
    "/memberships/{membership_id}",
    operation_id="change_membership_role",
    dependencies=[ADMINS_ONLY],
    summary="Change a member's role",
    tags=["memberships"],
    responses=problems(
        *ADMIN, "MEMBERSHIP_NOT_FOUND", "CANNOT_CHANGE_OWN_ROLE", "LAST_ADMIN", "VALIDATION_ERROR"
    ),
)
async def change_membership_role(
    change_member_role: Annotated[ChangeMemberRole, Depends(use_case(ChangeMemberRole))],
    org_id: int,
    membership_id: int,
    body: RoleChangeRequest,
    viewer: CurrentViewer,
) -> MemberOut:
    return MemberOut.of(await change_member_role(viewer, org_id, membership_id, Role(body.role)))


@router.delete(
    "/memberships/{membership_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="remove_membership",
    summary="Remove a member, or leave",
    tags=["memberships"],
    responses=problems(*ADMIN, "MEMBERSHIP_NOT_FOUND", "LAST_ADMIN"),
)
async def remove_membership(
    remove_member: Annotated[RemoveMember, Depends(use_case(RemoveMember))],
    org_id: int,
    membership_id: int,
    viewer: CurrentViewer,
) -> Response:
    await remove_member(viewer, org_id, membership_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
