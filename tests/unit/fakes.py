"""In-memory fakes of the ports, for unit tests of the use cases (no database, no I/O).

Each repository fake behaves as its SQL twin does (same lookups, orderings, conflicts and conditional
updates): ``tests/contract/`` runs the same cases against both. A ``FakeUnitOfWork`` works on a copy of
the store and writes it back on ``commit`` only, so a use case that forgets to commit loses its writes
as it would in the database.
"""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar, TypeVarTuple

from domain.accounts.entities import NewUser, StoredRefreshToken, User
from domain.accounts.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from domain.accounts.ports import PasswordResetRepository, SessionRepository, UserRepository
from domain.accounts.queries import AccountQueries
from domain.api_clients.entities import ApiClient, ClientClaims, NewApiClient, Scope
from domain.api_clients.ports import ApiClientRepository
from domain.api_clients.queries import ApiClientQueries
from domain.audit.events import AuditEvent, AuditFilter, AuditLog, StoredAuditEvent
from domain.audit.queries import AuditQueries
from domain.campaigns.entities import (
    Campaign,
    CampaignOverview,
    CampaignSummary,
    ParticipantStudent,
    Participation,
    ParticipationView,
)
from domain.campaigns.errors import CampaignCodeAlreadyUsed
from domain.campaigns.ports import CampaignRepository, NewCampaign, NewParticipation, ParticipationRepository
from domain.campaigns.queries import CampaignQueries
from domain.errors import Unauthenticated
from domain.joining.errors import UserAlreadyLinkedInOrganization
from domain.joining.matching import MatchCandidate
from domain.joining.ports import (
    AccountSnapshot,
    CandidateLinks,
    IdentityMatchLog,
    LinkedAccount,
    MatchSnapshot,
    ParticipationSnapshot,
    RecordedMatch,
    StudentLinkRepository,
    StudentWithAccount,
)
from domain.notifications.outbox import EmailOutbox, QueuedEmail
from domain.notifications.webhooks import WebhookEvent, WebhookEventLog
from domain.organizations.entities import (
    DeliveryStatus,
    Invitation,
    InvitationStatus,
    Membership,
    MemberView,
    Organization,
    Role,
    UserMembership,
)
from domain.organizations.errors import UaiAlreadyUsed
from domain.organizations.ports import (
    InvitationRepository,
    MembershipRepository,
    NewInvitation,
    NewOrganization,
    OrganizationRepository,
    SentEmails,
)
from domain.organizations.queries import OrganizationQueries
from domain.pagination import Page, PageRequest
from domain.rate_limits import Limit
from domain.recovery.entities import AccountRecovery
from domain.recovery.ports import AccountRecoveryRepository
from domain.students.entities import Student
from domain.students.ports import AccountElsewhere, StoredStudent, StudentRepository
from domain.students.siecle import StudentRecord
from domain.webhooks.entities import (
    DeliveryView,
    EndpointStatus,
    NewWebhookEndpoint,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from domain.webhooks.ports import WebhookEndpointRepository
from domain.webhooks.queries import WebhookQueries
from infrastructure.rate_limiting import KeyedLocks

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
IMPORT_OVER_HTTP = "the import is covered over HTTP, on both databases"


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeHasher:
    """``hash:<password>``; hashes starting with ``old:`` verify and ask for an upgrade."""

    async def hash(self, password: str) -> str:
        return f"hash:{password}"

    async def verify(self, password: str, password_hash: str | None) -> tuple[bool, str | None]:
        if password_hash is None:
            return False, None
        if password_hash.startswith("old:"):
            ok = password_hash == f"old:{password}"
            return ok, (f"hash:{password}" if ok else None)
        return password_hash == f"hash:{password}", None


class FakeTokens:
    def issue(self, user_id: int, session_id: str) -> tuple[str, int]:
        return f"access:{user_id}:{session_id}", 900

    def read(self, token: str) -> tuple[int, str]:
        kind, _, rest = token.partition(":")
        user_id, _, session_id = rest.partition(":")
        if kind != "access" or not user_id.isdigit():
            raise Unauthenticated()
        return int(user_id), session_id


class FakeClientTokens:
    """``client:<api client id>:<organization id>:<scope,scope>``; a person's token reads as None."""

    def issue_client(self, claims: ClientClaims) -> tuple[str, int]:
        scopes = ",".join(sorted(claims.scopes))
        return f"client:{claims.api_client_id}:{claims.organization_id}:{scopes}", 900

    def read_client(self, token: str) -> ClientClaims | None:
        if token.startswith("access:"):
            return None
        kind, _, rest = token.partition(":")
        parts = rest.split(":", 2)
        if kind != "client" or len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise Unauthenticated()
        scopes = frozenset(Scope(word) for word in parts[2].split(",") if word)
        return ClientClaims(int(parts[0]), int(parts[1]), scopes)


class FakeLimiter:
    def __init__(self, limits: dict[Limit, int] | None = None) -> None:
        self.limits = limits or {}
        self.failures: dict[tuple[Limit, tuple[str, ...]], int] = {}
        self.locks = KeyedLocks()

    async def retry_after(self, limit: Limit, *key: str) -> int | None:
        allowed = self.limits.get(limit)
        if allowed is not None and self.failures.get((limit, key), 0) >= allowed:
            return 60
        return None

    async def record(self, limit: Limit, *key: str) -> None:
        self.failures[(limit, key)] = self.failures.get((limit, key), 0) + 1

    async def try_acquire(self, limit: Limit, *key: str) -> int | None:
        retry_after = await self.retry_after(limit, *key)
        if retry_after is None:
            await self.record(limit, *key)
        return retry_after

    def exclusive(self, keys: Sequence[tuple[Limit, tuple[str, ...]]]) -> AbstractAsyncContextManager[None]:
        return self.locks.hold([f"{limit}:{key}" for limit, key in keys])


class InlineCpuWork:
    """Runs the work at once, on the caller's thread."""

    async def run(self, fn: Callable[[*Ts], T], *args: *Ts) -> T:
        return fn(*args)


@dataclasses.dataclass
class FakeDelivery:
    endpoint_id: int
    event_id: int
    status: WebhookDeliveryStatus
    created_at: datetime
    attempts: int = 0
    last_status_code: int | None = None
    last_attempt_at: datetime | None = None


@dataclasses.dataclass
class Store:
    """The committed state, one dictionary per table, keyed by id."""

    users: dict[int, User] = dataclasses.field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    refresh: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    password_resets: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    organizations: dict[int, Organization] = dataclasses.field(default_factory=dict)
    memberships: dict[int, Membership] = dataclasses.field(default_factory=dict)
    invitations: dict[int, Invitation] = dataclasses.field(default_factory=dict)
    replaced_codes: set[tuple[int, str]] = dataclasses.field(default_factory=set)
    outbox: list[tuple[QueuedEmail, datetime]] = dataclasses.field(default_factory=list)
    campaigns: dict[int, Campaign] = dataclasses.field(default_factory=dict)
    participations: dict[int, Participation] = dataclasses.field(default_factory=dict)
    students: dict[int, Student] = dataclasses.field(default_factory=dict)
    decisions: list[RecordedMatch] = dataclasses.field(default_factory=list)
    events: list[AuditEvent] = dataclasses.field(default_factory=list)
    recoveries: dict[uuid.UUID, AccountRecovery] = dataclasses.field(default_factory=dict)
    webhook_endpoints: dict[int, WebhookEndpoint] = dataclasses.field(default_factory=dict)
    webhook_secrets: dict[int, bytes] = dataclasses.field(default_factory=dict)
    webhook_events: dict[int, WebhookEvent] = dataclasses.field(default_factory=dict)
    webhook_deliveries: dict[int, FakeDelivery] = dataclasses.field(default_factory=dict)
    api_clients: dict[int, ApiClient] = dataclasses.field(default_factory=dict)
    commits: int = 0

    def account(self, user_id: int | None) -> LinkedAccount | None:
        user = self.users.get(user_id) if user_id is not None else None
        return LinkedAccount(user.id, user.username, user.email) if user else None


def _next_id(rows: Iterable[int]) -> int:
    return max(rows, default=0) + 1


def _page(items: Sequence[T], page: PageRequest) -> Page[T]:
    return Page(list(items[page.offset : page.offset + page.page_size]), len(items), page)


def _contains(text: str, word: str) -> bool:
    return word.lower() in text.lower()


class FakeUsers:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, user: NewUser) -> User:
        email = user.email.lower() if user.email else None
        username = user.username.lower() if user.username else None
        for existing in self.store.users.values():
            if email and existing.email == email:
                raise EmailAlreadyUsed()
            if username and existing.username == username:
                raise UsernameAlreadyUsed()
        new = User(
            id=_next_id(self.store.users),
            first_name=user.first_name,
            last_name=user.last_name,
            email=email,
            username=username,
            password_hash=user.password_hash,
            must_change_password=user.must_change_password,
            temporary_password_expires_at=None,
            terms_accepted_at=user.terms_accepted_at,
            pix_orga_terms_accepted_at=None,
            locale=user.locale,
            is_support=user.is_support,
            created_at=user.created_at,
            updated_at=user.created_at,
        )
        self.store.users[new.id] = new
        return new

    async def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    async def find_by_login(self, login: str) -> User | None:
        login = login.lower()
        return next((u for u in self.store.users.values() if login in (u.email, u.username)), None)

    async def find_by_email(self, email: str) -> User | None:
        return next((u for u in self.store.users.values() if u.email == email.lower()), None)

    async def set_password(
        self,
        user_id: int,
        password_hash: str,
        *,
        must_change_password: bool,
        temporary_password_expires_at: datetime | None,
        now: datetime,
    ) -> None:
        if user_id in self.store.users:
            self.store.users[user_id] = dataclasses.replace(
                self.store.users[user_id],
                password_hash=password_hash,
                must_change_password=must_change_password,
                temporary_password_expires_at=temporary_password_expires_at,
                updated_at=now,
            )

    async def accept_pix_orga_terms(self, user_id: int, now: datetime) -> None:
        user = self.store.users.get(user_id)
        if user is not None and user.pix_orga_terms_accepted_at is None:
            self.store.users[user_id] = dataclasses.replace(
                user, pix_orga_terms_accepted_at=now, updated_at=now
            )

    async def set_email(self, user_id: int, email: str, now: datetime) -> bool:
        user = self.store.users.get(user_id)
        if user is None or user.email is not None:
            return False
        email = email.lower()
        if any(other.email == email for other in self.store.users.values()):
            raise EmailAlreadyUsed()
        self.store.users[user_id] = dataclasses.replace(user, email=email, updated_at=now)
        return True


class FakeSessions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def open(
        self,
        session_id: str,
        user_id: int,
        now: datetime,
        refresh_token_hash: str,
        refresh_expires_at: datetime,
    ) -> None:
        self.store.sessions[session_id] = {"user_id": user_id, "revoked_at": None}
        await self.add_refresh_token(session_id, refresh_token_hash, now, refresh_expires_at)

    async def account_of(self, session_id: str, user_id: int) -> User | None:
        session = self.store.sessions.get(session_id)
        if session and session["user_id"] == user_id and session["revoked_at"] is None:
            return self.store.users.get(user_id)
        return None

    async def add_refresh_token(
        self, session_id: str, token_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        self.store.refresh[token_hash] = {
            "id": _next_id(row["id"] for row in self.store.refresh.values()),
            "session_id": session_id,
            "expires_at": expires_at,
            "used_at": None,
        }

    async def find_refresh_token(self, token_hash: str) -> StoredRefreshToken | None:
        row = self.store.refresh.get(token_hash)
        if row is None:
            return None
        session = self.store.sessions[row["session_id"]]
        return StoredRefreshToken(
            row["id"],
            row["session_id"],
            session["user_id"],
            row["expires_at"],
            row["used_at"],
            session["revoked_at"],
        )

    async def mark_used(self, token_id: int, now: datetime) -> bool:
        for row in self.store.refresh.values():
            if row["id"] == token_id and row["used_at"] is None:
                row["used_at"] = now
                return True
        return False

    async def revoke(self, session_id: str, now: datetime) -> None:
        session = self.store.sessions.get(session_id)
        if session is not None and session["revoked_at"] is None:
            session["revoked_at"] = now

    async def revoke_all_of_user(
        self, user_id: int, now: datetime, *, except_session: str | None = None
    ) -> None:
        for session_id, session in self.store.sessions.items():
            if (
                session["user_id"] == user_id
                and session_id != except_session
                and session["revoked_at"] is None
            ):
                session["revoked_at"] = now


class FakePasswordResets:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, token_hash: str, user_id: int, now: datetime, expires_at: datetime) -> None:
        assert token_hash not in self.store.password_resets, "token hashes are unique"
        self.store.password_resets[token_hash] = {
            "user_id": user_id,
            "expires_at": expires_at,
            "used_at": None,
        }

    async def consume(self, token_hash: str, now: datetime) -> int | None:
        token = self.store.password_resets.get(token_hash)
        if token is None or token["used_at"] is not None or token["expires_at"] <= now:
            return None
        token["used_at"] = now
        return int(token["user_id"])


class FakeOrganizations:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, organization: NewOrganization) -> Organization:
        if organization.uai is not None and await self.get_by_uai(organization.uai):
            raise UaiAlreadyUsed()
        new = Organization(
            _next_id(self.store.organizations), archived_at=None, **dataclasses.asdict(organization)
        )
        self.store.organizations[new.id] = new
        return new

    async def get(self, organization_id: int) -> Organization | None:
        return self.store.organizations.get(organization_id)

    async def get_by_uai(self, uai: str) -> Organization | None:
        return next((o for o in self.store.organizations.values() if o.uai == uai), None)

    async def archive(self, organization_id: int, now: datetime) -> None:
        organization = self.store.organizations.get(organization_id)
        if organization is not None and organization.archived_at is None:
            self.store.organizations[organization_id] = dataclasses.replace(organization, archived_at=now)


class FakeMemberships:
    def __init__(self, store: Store) -> None:
        self.store = store

    def active(self, predicate: Callable[[Membership], bool]) -> list[Membership]:
        return [m for m in self.store.memberships.values() if m.is_active and predicate(m)]

    async def has_active_membership(self, user_id: int) -> bool:
        return bool(self.active(lambda m: m.user_id == user_id))

    async def list_active_for_user(self, user_id: int) -> list[UserMembership]:
        organizations = self.store.organizations
        found = sorted(
            self.active(lambda m: m.user_id == user_id),
            key=lambda m: (organizations[m.organization_id].name, m.organization_id),
        )
        return [
            UserMembership(
                m.id,
                m.role,
                m.organization_id,
                organizations[m.organization_id].name,
                organizations[m.organization_id].type,
            )
            for m in found
        ]

    async def find(self, organization_id: int, user_id: int) -> Membership | None:
        return next(
            (
                m
                for m in self.store.memberships.values()
                if (m.organization_id, m.user_id) == (organization_id, user_id)
            ),
            None,
        )

    async def get(self, membership_id: int) -> Membership | None:
        return self.store.memberships.get(membership_id)

    async def add(self, organization_id: int, user_id: int, role: Role, now: datetime) -> Membership:
        # The database refuses a second membership of a user in an organization (unique index).
        assert await self.find(organization_id, user_id) is None, "duplicate membership"
        new = Membership(_next_id(self.store.memberships), organization_id, user_id, role, now, now, None)
        self.store.memberships[new.id] = new
        return new

    async def update(self, membership_id: int, *, role: Role, enabled: bool, now: datetime) -> Membership:
        updated = dataclasses.replace(
            self.store.memberships[membership_id],
            role=role,
            updated_at=now,
            disabled_at=None if enabled else now,
        )
        self.store.memberships[membership_id] = updated
        return updated

    async def lock_active_admins(self, organization_id: int) -> list[int]:
        admins = self.active(lambda m: m.organization_id == organization_id and m.role is Role.ADMIN)
        return [m.user_id for m in sorted(admins, key=lambda m: m.id)]

    async def count_active(self, organization_id: int) -> int:
        return len(self.active(lambda m: m.organization_id == organization_id))

    def view(self, membership: Membership) -> MemberView:
        user = self.store.users[membership.user_id]
        return MemberView(
            membership.id,
            membership.role,
            membership.created_at,
            user.id,
            user.first_name,
            user.last_name,
            user.email,
        )

    async def get_view(self, membership_id: int) -> MemberView | None:
        membership = self.store.memberships.get(membership_id)
        return self.view(membership) if membership else None


class FakeInvitations:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, invitation: NewInvitation) -> Invitation:
        # The database keeps one pending invitation per address and each code hash once (unique indexes).
        assert await self.find_pending(invitation.organization_id, invitation.email) is None
        assert all(i.code_hash != invitation.code_hash for i in self.store.invitations.values())
        new = Invitation(
            id=_next_id(self.store.invitations),
            organization_id=invitation.organization_id,
            email=invitation.email,
            role=invitation.role,
            status=InvitationStatus.PENDING,
            code_hash=invitation.code_hash,
            locale=invitation.locale,
            is_activation=invitation.is_activation,
            inviter_id=invitation.inviter_id,
            created_at=invitation.now,
            updated_at=invitation.now,
            last_sent_at=invitation.now,
            expires_at=invitation.expires_at,
            accepted_by_user_id=None,
            delivery_status=DeliveryStatus.QUEUED,
        )
        self.store.invitations[new.id] = new
        return new

    async def get(self, invitation_id: int) -> Invitation | None:
        return self.store.invitations.get(invitation_id)

    async def find_pending(self, organization_id: int, email: str) -> Invitation | None:
        return next(
            (
                i
                for i in self.store.invitations.values()
                if (i.organization_id, i.email, i.status)
                == (organization_id, email, InvitationStatus.PENDING)
            ),
            None,
        )

    async def last_sent_to(self, organization_id: int, email: str) -> datetime | None:
        return max(
            (
                i.last_sent_at
                for i in self.store.invitations.values()
                if i.organization_id == organization_id and i.email.lower() == email.lower()
            ),
            default=None,
        )

    async def is_replaced_code(self, invitation_id: int, code_hash: str) -> bool:
        return (invitation_id, code_hash) in self.store.replaced_codes

    async def rotate(
        self,
        invitation: Invitation,
        *,
        code_hash: str,
        role: Role | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        self.store.replaced_codes.add((invitation.id, invitation.code_hash))
        rotated = dataclasses.replace(
            self.store.invitations[invitation.id],
            code_hash=code_hash,
            role=role,
            updated_at=now,
            last_sent_at=now,
            expires_at=expires_at,
            delivery_status=DeliveryStatus.QUEUED,
        )
        self.store.invitations[invitation.id] = rotated
        return rotated

    def _settle(self, invitation_id: int, **changes: Any) -> bool:
        invitation = self.store.invitations.get(invitation_id)
        if invitation is None or invitation.status is not InvitationStatus.PENDING:
            return False
        self.store.invitations[invitation_id] = dataclasses.replace(invitation, **changes)
        return True

    async def mark_accepted(self, invitation_id: int, user_id: int, now: datetime) -> bool:
        return self._settle(
            invitation_id, status=InvitationStatus.ACCEPTED, accepted_by_user_id=user_id, updated_at=now
        )

    async def cancel(self, invitation_id: int, now: datetime) -> bool:
        return self._settle(invitation_id, status=InvitationStatus.CANCELLED, updated_at=now)

    async def cancel_all_pending(self, organization_id: int, now: datetime) -> int:
        return sum(
            self._settle(i.id, status=InvitationStatus.CANCELLED, updated_at=now)
            for i in list(self.store.invitations.values())
            if i.organization_id == organization_id
        )

    async def lock_sent_emails(self, organization_id: int, since: datetime) -> SentEmails:
        sent = [
            queued_at
            for email, queued_at in self.store.outbox
            if email.invitation_id is not None
            and self.store.invitations[email.invitation_id].organization_id == organization_id
            and queued_at > since
        ]
        return SentEmails(len(sent), min(sent, default=None))


class FakeOutbox:
    """Dated by the wall clock, as the SQL outbox is."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def enqueue(self, email: QueuedEmail) -> None:
        self.store.outbox.append((email, datetime.now(UTC)))


class FakeCampaigns:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, campaign: NewCampaign) -> Campaign:
        if any(c.code == campaign.code for c in self.store.campaigns.values()):
            raise CampaignCodeAlreadyUsed()
        new = Campaign(_next_id(self.store.campaigns), archived_at=None, **dataclasses.asdict(campaign))
        self.store.campaigns[new.id] = new
        return new

    async def get(self, campaign_id: int) -> Campaign | None:
        return self.store.campaigns.get(campaign_id)

    async def get_by_code(self, code: str) -> CampaignOverview | None:
        campaign = next((c for c in self.store.campaigns.values() if c.code == code), None)
        return (
            CampaignOverview(campaign, self.store.organizations[campaign.organization_id])
            if campaign
            else None
        )

    async def archive(self, campaign_id: int, now: datetime) -> None:
        campaign = self.store.campaigns.get(campaign_id)
        if campaign is not None and campaign.archived_at is None:
            self.store.campaigns[campaign_id] = dataclasses.replace(campaign, archived_at=now)


class FakeParticipations:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def find(self, campaign_id: int, user_id: int) -> Participation | None:
        return next(
            (
                p
                for p in self.store.participations.values()
                if (p.campaign_id, p.user_id) == (campaign_id, user_id)
            ),
            None,
        )

    async def add(self, participation: NewParticipation) -> Participation | None:
        if await self.find(participation.campaign_id, participation.user_id):
            return None
        new = Participation(_next_id(self.store.participations), **dataclasses.asdict(participation))
        self.store.participations[new.id] = new
        return new

    def student(self, student_id: int | None) -> ParticipantStudent | None:
        student = self.store.students.get(student_id) if student_id is not None else None
        if student is None:
            return None
        return ParticipantStudent(
            student.id, student.first_name, student.last_name, student.division, student.birthdate
        )


class FakeMatchLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(self, decision: RecordedMatch) -> None:
        self.store.decisions.append(decision)


class FakeAudit:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(self, *events: AuditEvent) -> None:
        self.store.events.extend(events)


class FakeStudents:
    """The attachments only: the import is covered over HTTP, on both databases."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _check_unique(self, student: Student, user_id: int) -> None:
        if student.is_active and any(
            s.id != student.id
            and s.organization_id == student.organization_id
            and s.user_id == user_id
            and s.is_active
            for s in self.store.students.values()
        ):
            raise UserAlreadyLinkedInOrganization()

    async def attach(self, student_id: int, user_id: int, now: datetime) -> bool:
        student = self.store.students.get(student_id)
        if student is None or student.user_id is not None or not student.is_active:
            return False
        self._check_unique(student, user_id)
        self.store.students[student_id] = dataclasses.replace(student, user_id=user_id, updated_at=now)
        return True

    async def attach_new_account(self, student_id: int, user_id: int, now: datetime) -> bool:
        return await self.attach(student_id, user_id, now)

    async def replace_link(self, student_id: int, user_id: int, now: datetime) -> None:
        student = self.store.students.get(student_id)
        if student is not None:
            self._check_unique(student, user_id)
            self.store.students[student_id] = dataclasses.replace(student, user_id=user_id, updated_at=now)

    async def detach(self, student_id: int, now: datetime) -> None:
        student = self.store.students.get(student_id)
        if student is not None:
            self.store.students[student_id] = dataclasses.replace(student, user_id=None, updated_at=now)

    async def try_lock_imports(self, organization_id: int) -> bool:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def stored_for_import(self, organization_id: int) -> dict[str, StoredStudent]:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def insert_many(
        self,
        organization_id: int,
        records: list[StudentRecord],
        now: datetime,
        ids_of: Collection[str] = (),
    ) -> dict[str, int]:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def update_many(
        self, organization_id: int, changes: list[tuple[int, StudentRecord]], now: datetime
    ) -> None:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def disable_many(self, organization_id: int, student_ids: list[int], now: datetime) -> None:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def accounts_elsewhere(
        self, organization_id: int, national_ids: list[str]
    ) -> list[AccountElsewhere]:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def lock_accounts(self, user_ids: list[int]) -> dict[int, frozenset[int]]:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def attach_many(self, links: list[tuple[int, int]]) -> None:
        raise NotImplementedError(IMPORT_OVER_HTTP)

    async def detach_many(self, student_ids: list[int]) -> None:
        raise NotImplementedError(IMPORT_OVER_HTTP)


class FakeStudentLinks:
    """Enforces what the database does: the conditional attach and the unique (organization, account)
    among active students."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def match_snapshot(
        self, campaign_code: str, birthdate: date, username: str
    ) -> MatchSnapshot | None:
        campaign = next((c for c in self.store.campaigns.values() if c.code == campaign_code), None)
        if campaign is None:
            return None
        organization_id = campaign.organization_id
        candidates = []
        for student in await self.active_born_on(organization_id, birthdate):
            attached = self.store.account(student.user_id)
            elsewhere = (
                await self.accounts_linked_elsewhere(student.national_student_id, organization_id)
                if student.user_id is None
                else []
            )
            candidates.append(CandidateLinks(student, attached, tuple(elsewhere)))
        return MatchSnapshot(
            CampaignOverview(campaign, self.store.organizations[organization_id]),
            await self.roster_version(organization_id),
            tuple(candidates),
            username_taken=any(u.username == username for u in self.store.users.values()),
        )

    async def participation_snapshot(self, campaign_code: str, user_id: int) -> ParticipationSnapshot | None:
        campaign = next((c for c in self.store.campaigns.values() if c.code == campaign_code), None)
        if campaign is None:
            return None
        organization_id = campaign.organization_id
        return ParticipationSnapshot(
            CampaignOverview(campaign, self.store.organizations[organization_id]),
            await FakeMemberships(self.store).find(organization_id, user_id),
            await FakeParticipations(self.store).find(campaign.id, user_id),
            await self.active_of_user(organization_id, user_id),
        )

    async def account_snapshot(self, campaign_code: str, student_id: int) -> AccountSnapshot | None:
        overview = await FakeCampaigns(self.store).get_by_code(campaign_code)
        if overview is None:
            return None
        student = await self.lock(student_id)
        elsewhere: list[LinkedAccount] = []
        if student is not None and student.user_id is None:
            elsewhere = await self.accounts_linked_elsewhere(
                student.national_student_id, student.organization_id
            )
        return AccountSnapshot(overview, student, tuple(elsewhere))

    async def active_born_on(self, organization_id: int, birthdate: date) -> list[Student]:
        return [
            s
            for s in sorted(self.store.students.values(), key=lambda s: s.id)
            if s.organization_id == organization_id and s.birthdate == birthdate and s.is_active
        ]

    async def active_roster(self, organization_id: int) -> list[MatchCandidate]:
        return [
            MatchCandidate(
                s.id, s.first_name, s.middle_name, s.third_name, s.last_name, s.preferred_last_name
            )
            for s in self.store.students.values()
            if s.organization_id == organization_id and s.is_active
        ]

    async def roster_version(self, organization_id: int) -> tuple[str, ...]:
        return tuple(str(dataclasses.astuple(c)) for c in await self.active_roster(organization_id))

    async def get(self, student_id: int) -> Student | None:
        return self.store.students.get(student_id)

    async def lock(self, student_id: int) -> Student | None:
        return self.store.students.get(student_id)

    async def active_of_user(self, organization_id: int, user_id: int) -> Student | None:
        return next(
            (
                s
                for s in self.store.students.values()
                if s.organization_id == organization_id and s.user_id == user_id and s.is_active
            ),
            None,
        )

    def _latest_first(self, students: Iterable[Student]) -> list[Student]:
        return sorted(students, key=lambda s: (s.updated_at, s.id), reverse=True)

    async def of_user(self, user_id: int) -> list[Student]:
        return self._latest_first(s for s in self.store.students.values() if s.user_id == user_id)

    async def active_by_national_id(
        self, organization_id: int, national_student_id: str, birthdate: date
    ) -> Student | None:
        return next(
            (
                s
                for s in self.store.students.values()
                if (s.organization_id, s.national_student_id, s.birthdate)
                == (organization_id, national_student_id, birthdate)
                and s.is_active
            ),
            None,
        )

    async def accounts_linked_elsewhere(
        self, national_student_id: str, organization_id: int
    ) -> list[LinkedAccount]:
        seen: dict[int, LinkedAccount] = {}
        for s in self._latest_first(self.store.students.values()):
            account = self.store.account(s.user_id)
            if (
                account is not None
                and s.national_student_id == national_student_id
                and s.organization_id != organization_id
            ):
                seen.setdefault(account.user_id, account)
        return list(seen.values())

    async def with_accounts(
        self, organization_id: int, student_ids: Sequence[int]
    ) -> list[StudentWithAccount]:
        def in_use_elsewhere(student: Student) -> bool:
            return student.user_id is not None and any(
                other.user_id == student.user_id
                and other.organization_id != organization_id
                and other.is_active
                for other in self.store.students.values()
            )

        return [
            StudentWithAccount(s, self.store.account(s.user_id), in_use_elsewhere(s))
            for s in self.store.students.values()
            if s.organization_id == organization_id and s.id in student_ids
        ]


class FakeAccountRecoveries:
    """Enforces what the database does: one live request per account, the conditional completion."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def records_of(self, national_student_id: str) -> list[Student]:
        found = [s for s in self.store.students.values() if s.national_student_id == national_student_id]
        return sorted(found, key=lambda s: s.id)[:100]

    async def add(self, recovery: AccountRecovery) -> None:
        assert recovery.id not in self.store.recoveries, "recovery ids are unique"
        for live in list(self.store.recoveries.values()):
            if live.user_id == recovery.user_id and live.used_at is None and live.replaced_at is None:
                self.store.recoveries[live.id] = dataclasses.replace(live, replaced_at=recovery.created_at)
        self.store.recoveries[recovery.id] = recovery

    async def get(self, recovery_id: uuid.UUID) -> AccountRecovery | None:
        return self.store.recoveries.get(recovery_id)

    async def complete(self, recovery_id: uuid.UUID, code_hash: str, now: datetime) -> AccountRecovery | None:
        recovery = self.store.recoveries.get(recovery_id)
        if recovery is None or recovery.code_hash != code_hash or not recovery.is_usable(now):
            return None
        used = dataclasses.replace(recovery, used_at=now)
        self.store.recoveries[recovery_id] = used
        return used

    async def was_recovered(self, user_id: int) -> bool:
        return any(r.user_id == user_id and r.used_at is not None for r in self.store.recoveries.values())


class FakeOrganizationQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def search(self, uai: str | None, name: str | None, page: PageRequest) -> Page[Organization]:
        found = [
            o
            for o in self.store.organizations.values()
            if (not uai or o.uai == uai) and (not name or _contains(o.name, name))
        ]
        found.sort(key=lambda o: (o.name, o.id))
        return _page(found, page)

    async def list_members(self, organization_id: int, page: PageRequest) -> Page[MemberView]:
        members = FakeMemberships(self.store)
        views = [members.view(m) for m in members.active(lambda m: m.organization_id == organization_id)]
        views.sort(key=lambda v: (v.last_name.lower(), v.first_name.lower(), v.id))
        return _page(views, page)

    async def list_invitations(
        self, organization_id: int, status: InvitationStatus, now: datetime, page: PageRequest
    ) -> Page[Invitation]:
        found = sorted(
            (
                i
                for i in self.store.invitations.values()
                if i.organization_id == organization_id and i.status_at(now) is status
            ),
            key=lambda i: (i.updated_at, i.id),
            reverse=True,
        )
        return _page(found, page)


class FakeCampaignQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def list_for_organization(self, organization_id: int, page: PageRequest) -> Page[CampaignSummary]:
        found = sorted(
            (c for c in self.store.campaigns.values() if c.organization_id == organization_id),
            key=lambda c: (c.created_at, c.id),
            reverse=True,
        )
        summaries = [
            CampaignSummary(
                c,
                sum(
                    1
                    for p in self.store.participations.values()
                    if p.campaign_id == c.id and not p.is_preview
                ),
            )
            for c in found
        ]
        return _page(summaries, page)

    async def list_for_campaign(self, campaign_id: int, page: PageRequest) -> Page[ParticipationView]:
        found = sorted(
            (p for p in self.store.participations.values() if p.campaign_id == campaign_id),
            key=lambda p: (p.created_at, p.id),
        )
        participations = FakeParticipations(self.store)
        return _page([ParticipationView(p, participations.student(p.student_id)) for p in found], page)


class FakeAuditQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def search(self, criteria: AuditFilter, page: PageRequest) -> Page[StoredAuditEvent]:
        found = [
            StoredAuditEvent(number, event)
            for number, event in enumerate(self.store.events, start=1)
            if criteria.organization_id in (None, event.organization_id)
            and criteria.actor_id in (None, event.actor.user_id)
            and (not criteria.type or event.type == criteria.type)
        ]
        found.sort(key=lambda stored: (stored.event.occurred_at, stored.id), reverse=True)
        return _page(found, page)


class FakeAccountQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def search(self, words: tuple[str, ...], page: PageRequest) -> Page[User]:
        def searchable(u: User) -> str:
            return f"{u.email or ''} {u.username or ''} {u.first_name} {u.last_name}"

        found = [u for u in self.store.users.values() if all(_contains(searchable(u), w) for w in words)]
        found.sort(key=lambda u: (u.last_name.lower(), u.first_name.lower(), u.id))
        return _page(found, page)


class FakeWebhookEndpoints:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, endpoint: NewWebhookEndpoint) -> WebhookEndpoint:
        new = WebhookEndpoint(
            id=_next_id(self.store.webhook_endpoints),
            organization_id=endpoint.organization_id,
            url=endpoint.url,
            events=endpoint.events,
            status=EndpointStatus.ENABLED,
            description=endpoint.description,
            failing_since=None,
            created_at=endpoint.created_at,
            updated_at=endpoint.created_at,
        )
        self.store.webhook_endpoints[new.id] = new
        self.store.webhook_secrets[new.id] = endpoint.encrypted_secret
        return new

    async def get(self, endpoint_id: int) -> WebhookEndpoint | None:
        return self.store.webhook_endpoints.get(endpoint_id)

    async def lock_count(self, organization_id: int) -> int:
        return sum(1 for e in self.store.webhook_endpoints.values() if e.organization_id == organization_id)

    async def update(
        self, endpoint_id: int, *, events: tuple[str, ...], status: EndpointStatus, now: datetime
    ) -> WebhookEndpoint:
        endpoint = self.store.webhook_endpoints[endpoint_id]
        failing_since = None if status is EndpointStatus.ENABLED else endpoint.failing_since
        updated = dataclasses.replace(
            endpoint, events=events, status=status, updated_at=now, failing_since=failing_since
        )
        self.store.webhook_endpoints[endpoint_id] = updated
        return updated

    async def delete(self, endpoint_id: int) -> None:
        self.store.webhook_endpoints.pop(endpoint_id, None)
        self.store.webhook_secrets.pop(endpoint_id, None)
        for delivery_id, delivery in list(self.store.webhook_deliveries.items()):
            if delivery.endpoint_id == endpoint_id:
                del self.store.webhook_deliveries[delivery_id]


class FakeWebhookEventLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(self, event: WebhookEvent) -> int | None:
        endpoints = sorted(
            (e for e in self.store.webhook_endpoints.values() if e.organization_id == event.organization_id),
            key=lambda e: e.id,
        )
        if event.endpoint_id is not None:
            targets = [e.id for e in endpoints if e.id == event.endpoint_id]
        else:
            targets = [
                e.id for e in endpoints if e.status is EndpointStatus.ENABLED and event.type in e.events
            ]
        if not targets:
            return None
        event_id = _next_id(self.store.webhook_events)
        self.store.webhook_events[event_id] = event
        for endpoint_id in targets:
            self.store.webhook_deliveries[_next_id(self.store.webhook_deliveries)] = FakeDelivery(
                endpoint_id, event_id, WebhookDeliveryStatus.PENDING, event.occurred_at
            )
        return event_id


class FakeWebhookQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def list_endpoints(self, organization_id: int, page: PageRequest) -> Page[WebhookEndpoint]:
        found = [e for e in self.store.webhook_endpoints.values() if e.organization_id == organization_id]
        return _page(sorted(found, key=lambda e: e.id), page)

    async def list_deliveries(self, endpoint_id: int, page: PageRequest) -> Page[DeliveryView]:
        found = [
            DeliveryView(
                id=delivery_id,
                event_id=d.event_id,
                event_type=self.store.webhook_events[d.event_id].type,
                status=d.status,
                attempts=d.attempts,
                last_status_code=d.last_status_code,
                last_attempt_at=d.last_attempt_at,
                next_attempt_at=d.created_at if d.status is WebhookDeliveryStatus.PENDING else None,
                created_at=d.created_at,
            )
            for delivery_id, d in sorted(self.store.webhook_deliveries.items(), reverse=True)
            if d.endpoint_id == endpoint_id
        ]
        return _page(found, page)


class FakeApiClients:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, client: NewApiClient) -> ApiClient:
        added = ApiClient(
            id=_next_id(self.store.api_clients),
            organization_id=client.organization_id,
            name=client.name,
            client_id=client.client_id,
            scopes=client.scopes,
            secret_hash=client.secret_hash,
            previous_secret_hash=None,
            previous_secret_expires_at=None,
            created_at=client.created_at,
            created_by_user_id=client.created_by_user_id,
            last_used_at=None,
            revoked_at=None,
        )
        self.store.api_clients[added.id] = added
        return added

    async def get(self, api_client_id: int, *, lock: bool = False) -> ApiClient | None:
        return self.store.api_clients.get(api_client_id)

    async def find_by_client_id(self, client_id: str) -> ApiClient | None:
        return next((c for c in self.store.api_clients.values() if c.client_id == client_id), None)

    async def count_live(self, organization_id: int) -> int:
        return sum(
            1 for c in self.store.api_clients.values() if c.organization_id == organization_id and c.is_live
        )

    async def rotate_secret(
        self,
        api_client_id: int,
        *,
        secret_hash: str,
        previous_secret_hash: str,
        previous_secret_expires_at: datetime,
    ) -> None:
        client = self.store.api_clients[api_client_id]
        self.store.api_clients[api_client_id] = dataclasses.replace(
            client,
            secret_hash=secret_hash,
            previous_secret_hash=previous_secret_hash,
            previous_secret_expires_at=previous_secret_expires_at,
        )

    async def revoke(self, api_client_id: int, now: datetime) -> bool:
        client = self.store.api_clients.get(api_client_id)
        if client is None or not client.is_live:
            return False
        self.store.api_clients[api_client_id] = dataclasses.replace(
            client, revoked_at=now, previous_secret_hash=None, previous_secret_expires_at=None
        )
        return True

    async def mark_used(self, api_client_id: int, now: datetime, *, precision_seconds: int) -> None:
        client = self.store.api_clients.get(api_client_id)
        if client is None:
            return
        if client.last_used_at is None or client.last_used_at < now - timedelta(seconds=precision_seconds):
            self.store.api_clients[api_client_id] = dataclasses.replace(client, last_used_at=now)


class FakeApiClientQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def of_organization(self, organization_id: int) -> list[ApiClient]:
        found = [
            c for c in self.store.api_clients.values() if c.organization_id == organization_id and c.is_live
        ]
        return sorted(found, key=lambda c: (c.created_at, c.id))

    async def search(self, organization_id: int | None, page: PageRequest) -> Page[ApiClient]:
        found = [c for c in self.store.api_clients.values() if organization_id in (None, c.organization_id)]
        found.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return _page(found, page)


class FakeUnitOfWork:
    """Works on a copy of the store taken when it begins; ``commit`` writes the copy back (and counts),
    leaving the unit of work (or returning from it) without committing drops the changes."""

    users: UserRepository
    sessions: SessionRepository
    organizations: OrganizationRepository
    memberships: MembershipRepository
    invitations: InvitationRepository
    password_resets: PasswordResetRepository
    outbox: EmailOutbox
    audit: AuditLog
    campaigns: CampaignRepository
    participations: ParticipationRepository
    match_decisions: IdentityMatchLog
    student_links: StudentLinkRepository
    students: StudentRepository
    account_recoveries: AccountRecoveryRepository
    organization_queries: OrganizationQueries
    campaign_queries: CampaignQueries
    audit_queries: AuditQueries
    account_queries: AccountQueries
    webhook_endpoints: WebhookEndpointRepository
    webhook_events: WebhookEventLog
    webhook_queries: WebhookQueries
    api_clients: ApiClientRepository
    api_client_queries: ApiClientQueries

    def __init__(self, store: Store) -> None:
        self.store = store
        self._begin()

    def _begin(self) -> None:
        work = copy.deepcopy(self.store)
        self._work = work
        self.users = FakeUsers(work)
        self.sessions = FakeSessions(work)
        self.organizations = FakeOrganizations(work)
        self.memberships = FakeMemberships(work)
        self.invitations = FakeInvitations(work)
        self.password_resets = FakePasswordResets(work)
        self.outbox = FakeOutbox(work)
        self.audit = FakeAudit(work)
        self.campaigns = FakeCampaigns(work)
        self.participations = FakeParticipations(work)
        self.match_decisions = FakeMatchLog(work)
        self.student_links = FakeStudentLinks(work)
        self.students = FakeStudents(work)
        self.account_recoveries = FakeAccountRecoveries(work)
        self.organization_queries = FakeOrganizationQueries(work)
        self.campaign_queries = FakeCampaignQueries(work)
        self.audit_queries = FakeAuditQueries(work)
        self.account_queries = FakeAccountQueries(work)
        self.webhook_endpoints = FakeWebhookEndpoints(work)
        self.webhook_events = FakeWebhookEventLog(work)
        self.webhook_queries = FakeWebhookQueries(work)
        self.api_clients = FakeApiClients(work)
        self.api_client_queries = FakeApiClientQueries(work)

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._begin()

    async def commit(self) -> None:
        for field in dataclasses.fields(Store):
            if field.name != "commits":
                setattr(self.store, field.name, copy.deepcopy(getattr(self._work, field.name)))
        self.store.commits += 1
