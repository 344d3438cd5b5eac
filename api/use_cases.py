"""The use cases the routers call, built by the composition root (``api/bootstrap.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from domain.access import AuthorizeOrganizationAccess
from domain.accounts.accept_pix_orga_terms import AcceptPixOrgaTerms
from domain.accounts.authenticate import Authenticate
from domain.accounts.change_password import ChangePassword
from domain.accounts.get_my_account import GetMyAccount
from domain.accounts.log_in import LogIn
from domain.accounts.refresh_session import RefreshSession
from domain.accounts.register_user import RegisterUser
from domain.accounts.request_password_reset import RequestPasswordReset
from domain.accounts.reset_password import ResetPassword
from domain.accounts.revoke_refresh_token import RevokeRefreshToken
from domain.accounts.search_users import SearchUsers
from domain.audit.search_audit_events import SearchAuditEvents
from domain.campaigns.archive_campaign import ArchiveCampaign
from domain.campaigns.create_campaign import CreateCampaign
from domain.campaigns.list_campaigns import ListCampaigns
from domain.campaigns.list_participations import ListParticipations
from domain.campaigns.read_campaign import ReadCampaign
from domain.joining.create_student_account import CreateStudentAccount
from domain.joining.detach_student_account import DetachStudentAccount
from domain.joining.link_student_account import LinkStudentAccount
from domain.joining.match_student_identity import MatchStudentIdentity
from domain.joining.reset_student_passwords import ResetStudentPasswords
from domain.joining.search_students import SearchStudents
from domain.joining.start_participation import StartParticipation
from domain.joining.support_attach_student import SupportAttachStudent
from domain.joining.support_detach_student import SupportDetachStudent
from domain.organizations.accept_invitation import AcceptInvitation
from domain.organizations.archive_organization import ArchiveOrganization
from domain.organizations.cancel_invitation import CancelInvitation
from domain.organizations.change_member_role import ChangeMemberRole
from domain.organizations.create_organization import CreateOrganization
from domain.organizations.get_organization import GetOrganization
from domain.organizations.invite_members import InviteMembers
from domain.organizations.list_invitations import ListInvitations
from domain.organizations.list_members import ListMembers
from domain.organizations.read_invitation import ReadInvitation
from domain.organizations.remove_member import RemoveMember
from domain.organizations.request_sco_activation import RequestScoActivation
from domain.organizations.resend_invitation import ResendInvitation
from domain.organizations.search_organizations import SearchOrganizations
from domain.organizations.send_activation_invitation import SendActivationInvitation
from domain.students.import_students import ImportStudents
from domain.students.list_divisions import ListDivisions
from domain.students.list_student_imports import ListStudentImports
from domain.students.list_students import ListStudents


@dataclass(frozen=True)
class UseCases:
    check_database: Callable[[], Awaitable[None]]
    authenticate: Authenticate
    register_user: RegisterUser
    log_in: LogIn
    refresh_session: RefreshSession
    revoke_refresh_token: RevokeRefreshToken
    change_password: ChangePassword
    get_my_account: GetMyAccount
    accept_pix_orga_terms: AcceptPixOrgaTerms
    request_password_reset: RequestPasswordReset
    reset_password: ResetPassword
    create_organization: CreateOrganization
    search_organizations: SearchOrganizations
    archive_organization: ArchiveOrganization
    get_organization: GetOrganization
    authorize_organization_access: AuthorizeOrganizationAccess
    invite_members: InviteMembers
    send_activation_invitation: SendActivationInvitation
    request_sco_activation: RequestScoActivation
    list_invitations: ListInvitations
    resend_invitation: ResendInvitation
    cancel_invitation: CancelInvitation
    read_invitation: ReadInvitation
    accept_invitation: AcceptInvitation
    list_members: ListMembers
    change_member_role: ChangeMemberRole
    remove_member: RemoveMember
    search_audit_events: SearchAuditEvents
    import_students: ImportStudents
    list_student_imports: ListStudentImports
    list_students: ListStudents
    list_divisions: ListDivisions

    # Campaigns and joining
    create_campaign: CreateCampaign
    list_campaigns: ListCampaigns
    archive_campaign: ArchiveCampaign
    list_participations: ListParticipations
    read_campaign: ReadCampaign
    match_student_identity: MatchStudentIdentity
    create_student_account: CreateStudentAccount
    link_student_account: LinkStudentAccount
    start_participation: StartParticipation
    reset_student_passwords: ResetStudentPasswords
    detach_student_account: DetachStudentAccount
    search_users: SearchUsers
    search_students: SearchStudents
    support_attach_student: SupportAttachStudent
    support_detach_student: SupportDetachStudent


def use_cases(request: Request) -> UseCases:
    found: UseCases = request.app.state.use_cases
    return found
