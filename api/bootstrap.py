"""The composition root: builds the engine, the adapters and the use cases, and the app on top.

Nothing here runs at import time; ``create_app(settings)`` does it all, so tests build the
app with their own settings.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.docs import install_docs
from api.errors import install_error_handlers, problems
from api.metrics import AppMetrics, install_metrics
from api.middleware import BodyLimitMiddleware, ProblemCORSMiddleware, RequestContextMiddleware
from api.openapi import install_openapi
from api.routers import (
    account_recoveries,
    admin,
    api_clients,
    auth,
    campaigns,
    health,
    invitations,
    joining,
    organizations,
    public,
    student_links,
    students,
    users,
    webhooks,
)
from api.use_cases import UseCases
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
from domain.api_clients.authenticate_client import AuthenticateClient
from domain.api_clients.create_api_client import CreateApiClient
from domain.api_clients.issue_client_token import IssueClientToken
from domain.api_clients.list_api_clients import ListApiClients
from domain.api_clients.revoke_api_client import RevokeApiClient
from domain.api_clients.rotate_api_client_secret import RotateApiClientSecret
from domain.api_clients.support_list_api_clients import SupportListApiClients
from domain.api_clients.support_revoke_api_client import SupportRevokeApiClient
from domain.audit.search_audit_events import SearchAuditEvents
from domain.campaigns.archive_campaign import ArchiveCampaign
from domain.campaigns.create_campaign import CreateCampaign
from domain.campaigns.list_campaigns import ListCampaigns
from domain.campaigns.list_participations import ListParticipations
from domain.campaigns.read_campaign import ReadCampaign
from domain.clock import Clock, SystemClock
from domain.joining.create_student_account import CreateStudentAccount
from domain.joining.detach_student_account import DetachStudentAccount
from domain.joining.link_student_account import LinkStudentAccount
from domain.joining.match_student_identity import MatchStudentIdentity
from domain.joining.reset_student_passwords import ResetStudentPasswords
from domain.joining.search_students import SearchStudents
from domain.joining.start_participation import StartParticipation
from domain.joining.steps import MatchGuard
from domain.joining.support_attach_student import SupportAttachStudent
from domain.joining.support_detach_student import SupportDetachStudent
from domain.organizations.accept_invitation import AcceptInvitation
from domain.organizations.archive_organization import ArchiveOrganization
from domain.organizations.cancel_invitation import CancelInvitation
from domain.organizations.change_member_role import ChangeMemberRole
from domain.organizations.create_organization import CreateOrganization
from domain.organizations.get_organization import GetOrganization
from domain.organizations.invitation_sending import InvitationPolicy
from domain.organizations.invite_members import InviteMembers
from domain.organizations.list_invitations import ListInvitations
from domain.organizations.list_members import ListMembers
from domain.organizations.read_invitation import ReadInvitation
from domain.organizations.remove_member import RemoveMember
from domain.organizations.request_sco_activation import RequestScoActivation
from domain.organizations.resend_invitation import ResendInvitation
from domain.organizations.search_organizations import SearchOrganizations
from domain.organizations.send_activation_invitation import SendActivationInvitation
from domain.rate_limits import Limit
from domain.recovery.complete_account_recovery import CompleteAccountRecovery
from domain.recovery.read_account_recovery import ReadAccountRecovery
from domain.recovery.request_account_recovery import RequestAccountRecovery
from domain.students.import_students import ImportStudents
from domain.students.list_divisions import ListDivisions
from domain.students.list_student_imports import ListStudentImports
from domain.students.list_students import ListStudents
from domain.students.ports import ImportMetrics, StudentFileReader
from domain.webhooks.create_webhook_endpoint import CreateWebhookEndpoint
from domain.webhooks.delete_webhook_endpoint import DeleteWebhookEndpoint
from domain.webhooks.list_webhook_deliveries import ListWebhookDeliveries
from domain.webhooks.list_webhook_endpoints import ListWebhookEndpoints
from domain.webhooks.ports import AddressResolver
from domain.webhooks.send_test_webhook import SendTestWebhook
from domain.webhooks.update_webhook_endpoint import UpdateWebhookEndpoint
from infrastructure.cpu_work import ThreadedCpuWork
from infrastructure.db.engine import create_engine
from infrastructure.db.errors import DATABASE_EXCEPTIONS, is_database_unavailable, is_invalid_value
from infrastructure.db.grouped_insert import GroupedInsert
from infrastructure.db.repositories.campaigns import RECORD_MATCH
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.email.factory import build_dispatcher
from infrastructure.rate_limiting import LimitsRateLimiter
from infrastructure.security.access_tokens import JwtAccessTokens
from infrastructure.security.password_hasher import FAST_FOR_TESTS, PRODUCTION, Argon2PasswordHasher
from infrastructure.settings import Settings
from infrastructure.siecle.upload_reader import StudentUploadReader
from infrastructure.webhooks.factory import build_resolver, build_webhook_dispatcher
from infrastructure.webhooks.secrets import FernetSecretCipher

UPLOAD_PATHS = re.compile(r"^/api/v1/organizations/[^/]+/student-imports/?$")

DESCRIPTION = """
The backend that lets French schools activate their Pix Orga space and attach their students.

Every error is an RFC 9457 problem (`application/problem+json`) with a stable `code`; `detail`
is in French, or in English with `Accept-Language: en`. Log in with the **Authorize** button
(OAuth2 password flow: an e-mail address or a username, and a password).
"""


def build_limiter(settings: Settings) -> LimitsRateLimiter:
    return LimitsRateLimiter(
        settings.rate_limit_storage_url,
        {limit: getattr(settings, limit.value) for limit in Limit},
        key_secret=settings.secret_key,
        enabled=settings.rate_limits_enabled,
    )


def build_use_cases(
    settings: Settings,
    engine: AsyncEngine,
    limiter: LimitsRateLimiter,
    clock: Clock,
    import_metrics: ImportMetrics | None = None,
    siecle_reader: StudentFileReader | None = None,
    resolver: AddressResolver | None = None,
) -> UseCases:
    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    decisions = GroupedInsert(RECORD_MATCH)

    def statement_at_a_time() -> SqlUnitOfWork:
        # For what reads, then writes at most its identity-matching decision (at commit, with those
        # of the matches that commit meanwhile): the match, the identification before an account is
        # created, a token's authentication. No BEGIN and ROLLBACK round trips around the reads.
        return SqlUnitOfWork(engine, statement_at_a_time=True, decisions=decisions)

    hasher = Argon2PasswordHasher(FAST_FOR_TESTS if settings.environment == "test" else PRODUCTION)
    tokens = JwtAccessTokens(settings.secret_key, timedelta(minutes=settings.access_token_ttl_minutes))
    refresh_ttl = timedelta(days=settings.refresh_token_ttl_days)
    invitations = InvitationPolicy(
        ttl=timedelta(days=settings.invitation_ttl_days),
        emails_per_day=settings.invitations_per_day,
        emails_per_request=settings.invitation_emails_per_request,
    )

    # One guard for the three joining endpoints and account recovery: same counters, one roster
    # cache; a roster is prepared one at a time. An import parses, checks and plans two at a time.
    match_guard = MatchGuard(limiter, ThreadedCpuWork(max_parallel=1))
    import_cpu = ThreadedCpuWork(max_parallel=2)

    async def check_database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return UseCases(
        check_database,
        [
            Authenticate(statement_at_a_time, tokens),
            RegisterUser(uow, hasher, limiter, clock),
            LogIn(uow, hasher, tokens, limiter, clock, refresh_ttl),
            RefreshSession(uow, tokens, clock, refresh_ttl),
            RevokeRefreshToken(uow, clock),
            ChangePassword(uow, hasher, clock),
            GetMyAccount(uow),
            AcceptPixOrgaTerms(uow, clock),
            RequestPasswordReset(uow, clock, limiter),
            ResetPassword(uow, hasher, clock),
            CreateOrganization(uow, clock),
            SearchOrganizations(uow),
            ArchiveOrganization(uow, clock),
            GetOrganization(uow),
            AuthorizeOrganizationAccess(uow),
            InviteMembers(uow, clock, invitations),
            SendActivationInvitation(uow, clock, invitations),
            RequestScoActivation(uow, clock, invitations, limiter),
            ListInvitations(uow, clock),
            ResendInvitation(uow, clock, invitations),
            CancelInvitation(uow, clock),
            ReadInvitation(uow, clock),
            AcceptInvitation(uow, clock),
            ListMembers(uow),
            ChangeMemberRole(uow, clock),
            RemoveMember(uow, clock),
            SearchAuditEvents(uow),
            ImportStudents(
                uow,
                siecle_reader
                or StudentUploadReader(
                    settings.import_max_upload_bytes,
                    settings.import_max_xml_bytes,
                    settings.import_max_students,
                ),
                import_cpu,
                clock,
                settings.import_disable_threshold,
                import_metrics,
            ),
            ListStudentImports(uow),
            ListStudents(uow),
            ListDivisions(uow),
            CreateCampaign(uow, clock),
            ListCampaigns(uow),
            ArchiveCampaign(uow, clock),
            ListParticipations(uow),
            ReadCampaign(uow),
            MatchStudentIdentity(statement_at_a_time, match_guard, clock),
            CreateStudentAccount(
                uow, hasher, tokens, match_guard, clock, refresh_ttl, identify_uow=statement_at_a_time
            ),
            LinkStudentAccount(uow, match_guard, clock),
            StartParticipation(uow, clock),
            ResetStudentPasswords(uow, hasher, clock),
            DetachStudentAccount(uow, clock),
            SearchUsers(uow),
            SearchStudents(uow),
            SupportAttachStudent(uow, clock),
            SupportDetachStudent(uow, clock),
            RequestAccountRecovery(uow, match_guard, limiter, clock),
            ReadAccountRecovery(uow, clock),
            CompleteAccountRecovery(uow, hasher, clock),
            AuthenticateClient(uow, tokens, limiter),
            IssueClientToken(uow, tokens, limiter, clock),
            CreateApiClient(uow, clock),
            ListApiClients(uow),
            RotateApiClientSecret(uow, clock),
            RevokeApiClient(uow, clock),
            SupportListApiClients(uow),
            SupportRevokeApiClient(uow, clock),
            CreateWebhookEndpoint(
                uow,
                clock,
                resolver or build_resolver(settings),
                FernetSecretCipher(settings.secret_key),
                allow_private_addresses=settings.webhook_allow_private_addresses,
            ),
            ListWebhookEndpoints(uow),
            UpdateWebhookEndpoint(uow, clock),
            DeleteWebhookEndpoint(uow, clock),
            SendTestWebhook(uow, clock),
            ListWebhookDeliveries(uow),
        ],
    )


def create_app(
    settings: Settings, *, clock: Clock | None = None, resolver: AddressResolver | None = None
) -> FastAPI:
    """``resolver`` replaces the system's name resolution for webhook URLs (tests)."""
    engine = create_engine(settings.database_url)
    limiter = build_limiter(settings)
    metrics = AppMetrics()
    cases = build_use_cases(settings, engine, limiter, clock or SystemClock(), metrics, resolver=resolver)

    dispatcher = build_dispatcher(settings, engine)
    webhook_dispatcher = build_webhook_dispatcher(settings, engine, resolver=resolver)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        sending = (
            [
                asyncio.create_task(dispatcher.run_forever(stop)),
                asyncio.create_task(webhook_dispatcher.run_forever(stop)),
            ]
            if settings.outbox_in_process
            else []
        )
        try:
            yield
        finally:
            stop.set()
            for task in sending:
                await task
            await engine.dispose()

    app = FastAPI(
        title="Pix Orga activation API",
        version="1.0.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses=problems("INTERNAL_ERROR", "SERVICE_UNAVAILABLE"),
    )
    app.state.settings = settings
    app.state.use_cases = cases
    app.state.trusted_proxies = settings.trusted_proxies
    app.state.engine = engine
    app.state.limiter = limiter
    app.state.dispatcher = dispatcher
    app.state.webhook_dispatcher = webhook_dispatcher
    app.state.metrics = metrics

    install_error_handlers(app, DATABASE_EXCEPTIONS, is_database_unavailable, is_invalid_value)
    install_docs(app)

    # Routers carry their full path (prefix included) so that the route template logged and
    # counted for a request is the whole one.
    for module in (
        auth,
        users,
        public,
        organizations,
        invitations,
        students,
        student_links,
        campaigns,
        joining,
        account_recoveries,
        webhooks,
        admin,
        api_clients,
    ):
        app.include_router(module.router, responses=problems("MALFORMED_JSON", "REQUEST_TOO_LARGE"))
    app.include_router(health.router)
    install_openapi(app, listed_first=list(app.routes))  # the documentation follows the activation steps
    _tried_first(app, joining.router)
    install_metrics(app, metrics, dispatcher.queue_depth, settings.metrics_allowed_ips)

    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        upload_pattern=UPLOAD_PATHS,
        max_upload_bytes=settings.import_max_upload_bytes + 64 * 1024,
    )
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After", "Content-Disposition"],
        max_age=600,
    )
    app.add_middleware(RequestContextMiddleware, on_request_end=metrics.observe_request)
    return app


def _tried_first(app: FastAPI, router: APIRouter) -> None:
    """FastAPI tries an app's routes one after the other, each with its regular expression, and
    a route late in the list costs every request for it dozens of tries: ``router``'s routes are
    tried first (those of pupils joining campaigns, most of the requests of a back-to-school
    rush). No two routers share a path, so the order changes nothing else."""
    app.router.routes.sort(key=lambda route: getattr(route, "original_router", None) is not router)
