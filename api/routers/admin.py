"""Support tools (users with the SUPPORT role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from api.auth import SupportViewer, support_viewer
from api.errors import problems
from api.pagination import PageOut, Paging
from api.routers import API_PREFIX
from api.schemas.organizations import (
    ActivationInvitationRequest,
    AdminOrganizationOut,
    AuditEventOut,
    CreateOrganizationRequest,
    InvitationOut,
)
from api.schemas.student_links import AdminStudentOut, AdminUserOut, UserLinkRequest
from api.use_cases import use_case
from domain.accounts.search_users import SearchUsers
from domain.audit.events import AuditFilter
from domain.audit.search_audit_events import SearchAuditEvents
from domain.joining.errors import StudentNotFound, UserAlreadyLinkedInOrganization, UserNotFound
from domain.joining.search_students import SearchStudents
from domain.joining.support_attach_student import SupportAttachStudent
from domain.joining.support_detach_student import SupportDetachStudent
from domain.organizations.archive_organization import ArchiveOrganization
from domain.organizations.create_organization import CreateOrganization, CreateOrganizationCommand
from domain.organizations.entities import OrganizationType, Role
from domain.organizations.search_organizations import SearchOrganizations
from domain.organizations.send_activation_invitation import (
    SendActivationInvitation,
    SendActivationInvitationCommand,
)

# Every support route, whatever its parameters, answers 401 / 403 before its body is validated.
router = APIRouter(prefix=f"{API_PREFIX}/admin", tags=["support"], dependencies=[Depends(support_viewer)])

SUPPORT = ("UNAUTHENTICATED", "PASSWORD_CHANGE_REQUIRED", "FORBIDDEN")


@router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    operation_id="admin_create_organization",
    summary="Create an organization",
    responses=problems(*SUPPORT, "UAI_ALREADY_USED", "INVALID_EMAIL", "VALIDATION_ERROR"),
)
async def create_organization(
    create_organization: Annotated[CreateOrganization, Depends(use_case(CreateOrganization))],
    body: CreateOrganizationRequest,
    viewer: SupportViewer,
) -> AdminOrganizationOut:
    organization = await create_organization(
        viewer,
        CreateOrganizationCommand(
            name=body.name,
            type=OrganizationType(body.type),
            uai=body.uai,
            email=body.email,
            is_managing_students=body.is_managing_students,
        ),
    )
    return AdminOrganizationOut.of(organization)


@router.get(
    "/organizations",
    operation_id="admin_search_organizations",
    summary="Find organizations by UAI or name",
    responses=problems(*SUPPORT, "VALIDATION_ERROR"),
)
async def search_organizations(
    search_organizations: Annotated[SearchOrganizations, Depends(use_case(SearchOrganizations))],
    viewer: SupportViewer,
    paging: Paging,
    uai: Annotated[str | None, Query(max_length=20)] = None,
    name: Annotated[str | None, Query(max_length=255)] = None,
) -> PageOut[AdminOrganizationOut]:
    page = await search_organizations(viewer, uai, name, paging)
    return PageOut.of(page, AdminOrganizationOut.of)


@router.post(
    "/organizations/{org_id}/archive",
    operation_id="admin_archive_organization",
    summary="Archive an organization (its pending invitations are cancelled)",
    responses=problems(*SUPPORT, "ORGANIZATION_NOT_FOUND"),
)
async def archive_organization(
    archive_organization: Annotated[ArchiveOrganization, Depends(use_case(ArchiveOrganization))],
    org_id: int,
    viewer: SupportViewer,
) -> AdminOrganizationOut:
    return AdminOrganizationOut.of(await archive_organization(viewer, org_id))


@router.post(
    "/organizations/{org_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    operation_id="admin_send_activation_invitation",
    summary="Send the activation invitation (step 1)",
    description="To the organization's official e-mail unless `email` is given. `role`: ADMIN by default, "
    "`null` for auto (ADMIN if nobody is a member at acceptance, MEMBER otherwise). The e-mail counts "
    "against the organization's `INVITATIONS_PER_DAY` (429 `RATE_LIMITED` over it, with `Retry-After`).",
    responses=problems(
        *SUPPORT,
        "ORGANIZATION_NOT_FOUND",
        "ORGANIZATION_ARCHIVED",
        "ORGANIZATION_WITHOUT_EMAIL",
        "INVALID_EMAIL",
        "RATE_LIMITED",
        "VALIDATION_ERROR",
    ),
)
async def send_activation_invitation(
    send_activation_invitation: Annotated[
        SendActivationInvitation, Depends(use_case(SendActivationInvitation))
    ],
    org_id: int,
    viewer: SupportViewer,
    body: ActivationInvitationRequest | None = None,
) -> InvitationOut:
    body = body or ActivationInvitationRequest()
    invitation = await send_activation_invitation(
        viewer,
        SendActivationInvitationCommand(
            organization_id=org_id,
            email=body.email,
            role=Role(body.role) if body.role else None,
            locale=body.locale,
        ),
    )
    return InvitationOut.of(invitation)


@router.get(
    "/audit-events",
    operation_id="admin_list_audit_events",
    summary="The audit trail: who did what, when",
    responses=problems(*SUPPORT, "VALIDATION_ERROR"),
)
async def list_audit_events(
    search_audit_events: Annotated[SearchAuditEvents, Depends(use_case(SearchAuditEvents))],
    viewer: SupportViewer,
    paging: Paging,
    organization_id: int | None = None,
    actor_id: int | None = None,
    type: Annotated[str | None, Query(max_length=64)] = None,
) -> PageOut[AuditEventOut]:
    page = await search_audit_events(
        viewer, AuditFilter(organization_id=organization_id, actor_id=actor_id, type=type), paging
    )
    return PageOut.of(page, AuditEventOut.of)


# --- Accounts and their attachment to students ------------------------------------


@router.get(
    "/users",
    operation_id="admin_search_users",
    summary="Find accounts by e-mail, username or name",
    description="Every word of `query` must appear in the e-mail, the username or the names.",
    responses=problems(*SUPPORT, "VALIDATION_ERROR"),
)
async def search_users(
    search_users: Annotated[SearchUsers, Depends(use_case(SearchUsers))],
    viewer: SupportViewer,
    paging: Paging,
    query: Annotated[str | None, Query(max_length=320)] = None,
) -> PageOut[AdminUserOut]:
    page = await search_users(viewer, query, paging)
    return PageOut.of(page, AdminUserOut.of)


@router.get(
    "/students",
    operation_id="admin_search_students",
    summary="Find students by name or INE, in every organization or in one UAI",
    description="Disabled students are included, flagged. Each comes with its attached account, if any.",
    responses=problems(*SUPPORT, "VALIDATION_ERROR"),
)
async def search_students(
    search_students: Annotated[SearchStudents, Depends(use_case(SearchStudents))],
    viewer: SupportViewer,
    paging: Paging,
    query: Annotated[str | None, Query(max_length=255)] = None,
    uai: Annotated[str | None, Query(max_length=20)] = None,
) -> PageOut[AdminStudentOut]:
    page = await search_students(viewer, query, uai, paging)
    return PageOut.of(page, AdminStudentOut.of)


@router.put(
    "/students/{student_id}/user-link",
    operation_id="admin_attach_student_account",
    summary="Attach an account to a student, or re-attach it (replacing the one it had)",
    responses=problems(
        *SUPPORT,
        StudentNotFound.code,
        UserNotFound.code,
        UserAlreadyLinkedInOrganization.code,
        "VALIDATION_ERROR",
    ),
)
async def attach_student_account(
    support_attach_student: Annotated[SupportAttachStudent, Depends(use_case(SupportAttachStudent))],
    student_id: int,
    body: UserLinkRequest,
    viewer: SupportViewer,
) -> AdminStudentOut:
    return AdminStudentOut.of(await support_attach_student(viewer, student_id, body.user_id))


@router.delete(
    "/students/{student_id}/user-link",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="admin_detach_student_account",
    summary="Detach the account from a student (idempotent; the account is kept)",
    responses=problems(*SUPPORT, StudentNotFound.code),
)
async def detach_student_account(
    support_detach_student: Annotated[SupportDetachStudent, Depends(use_case(SupportDetachStudent))],
    student_id: int,
    viewer: SupportViewer,
) -> Response:
    await support_detach_student(viewer, student_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
