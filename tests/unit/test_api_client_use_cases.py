"""API clients on the fakes: the pure rules (which secret, which scopes), the use cases, and the
access check of a client, in milliseconds. The clock is injected: the 24-hour overlap of a
rotation is walked to the minute."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.access import AuthorizeOrganizationAccess, ClientCaller, actor_of
from domain.accounts.entities import Viewer
from domain.api_clients.authenticate_client import AuthenticateClient
from domain.api_clients.create_api_client import CreateApiClient, CreateApiClientCommand
from domain.api_clients.decisions import granted_scopes, secret_accepted
from domain.api_clients.entities import MAX_LIVE_CLIENTS, ApiClient, ClientClaims, Scope
from domain.api_clients.errors import (
    ApiClientNotFound,
    InsufficientScope,
    InvalidClient,
    InvalidScope,
    TooManyApiClients,
)
from domain.api_clients.issue_client_token import IssueClientToken, IssueClientTokenCommand
from domain.api_clients.list_api_clients import ListApiClients
from domain.api_clients.revoke_api_client import RevokeApiClient
from domain.api_clients.rotate_api_client_secret import RotateApiClientSecret
from domain.api_clients.support_list_api_clients import SupportListApiClients
from domain.api_clients.support_revoke_api_client import SupportRevokeApiClient
from domain.audit.events import Actor
from domain.errors import TooManyRequests, Unauthenticated
from domain.organizations.entities import Organization, Role
from domain.organizations.errors import OrganizationNotFound, RoleNotAllowed
from domain.pagination import PageRequest
from domain.rate_limits import Limit
from domain.secrets import hash_secret
from tests.unit.fakes import FakeClientTokens, FakeClock, FakeLimiter, FakeUnitOfWork
from tests.unit.fakes_campaigns import T0, JoiningStore

READ = frozenset({Scope.STUDENTS_READ})
ALL = frozenset(Scope)


@pytest.fixture
def store() -> JoiningStore:
    return JoiningStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def school(store: JoiningStore) -> Organization:
    return store.add_organization()


@pytest.fixture
def admin(store: JoiningStore, school: Organization) -> Viewer:
    user = store.add_user(email="admin@ac-paris.fr")
    store.add_member(school, user.id, role=Role.ADMIN)
    return Viewer(user, "session")


def uow_of(store: JoiningStore) -> FakeUnitOfWork:
    return FakeUnitOfWork(store)


async def created(
    store: JoiningStore,
    clock: FakeClock,
    admin: Viewer,
    school: Organization,
    scopes: frozenset[Scope] = READ,
) -> tuple[ApiClient, str]:
    made = await CreateApiClient(lambda: uow_of(store), clock)(
        admin, CreateApiClientCommand(school.id, "ENT", scopes)
    )
    return made.client, made.client_secret


def issuer(store: JoiningStore, clock: FakeClock, limiter: FakeLimiter | None = None) -> IssueClientToken:
    return IssueClientToken(lambda: uow_of(store), FakeClientTokens(), limiter or FakeLimiter(), clock)


def command(client: ApiClient, secret: str, scope: str | None = None) -> IssueClientTokenCommand:
    return IssueClientTokenCommand(client.client_id, secret, scope, "203.0.113.7")


def a_client(**changes: object) -> ApiClient:
    client = ApiClient(
        id=1,
        organization_id=1,
        name="ENT",
        client_id="pxc_1",
        scopes=READ,
        secret_hash=hash_secret("current"),
        previous_secret_hash=hash_secret("previous"),
        previous_secret_expires_at=T0 + timedelta(hours=24),
        created_at=T0,
        created_by_user_id=None,
        last_used_at=None,
        revoked_at=None,
    )
    return dataclasses.replace(client, **changes)  # type: ignore[arg-type]


class TestDecisions:
    def test_the_current_secret_always_the_previous_one_until_it_expires(self) -> None:
        client = a_client()
        assert secret_accepted(client, hash_secret("current"), T0 + timedelta(days=365))
        assert secret_accepted(client, hash_secret("previous"), T0 + timedelta(hours=23, minutes=59))
        assert not secret_accepted(client, hash_secret("previous"), T0 + timedelta(hours=24))
        assert not secret_accepted(client, hash_secret("other"), T0)

    def test_no_secret_opens_a_revoked_or_unknown_client(self) -> None:
        assert not secret_accepted(a_client(revoked_at=T0), hash_secret("current"), T0)
        assert not secret_accepted(None, hash_secret("current"), T0)
        assert not secret_accepted(None, "0" * 64, T0)

    def test_scopes_asked_are_a_subset_of_the_granted_ones(self) -> None:
        both = frozenset({Scope.STUDENTS_READ, Scope.CAMPAIGNS_READ})
        assert granted_scopes(both, None) == both
        assert granted_scopes(both, "  ") == both
        assert granted_scopes(both, "campaigns:read") == {Scope.CAMPAIGNS_READ}
        assert granted_scopes(both, "campaigns:read students:read campaigns:read") == both
        for asked in ("students:import", "students:read pix-orga", "STUDENTS:READ"):
            with pytest.raises(InvalidScope):
                granted_scopes(both, asked)


class TestCreation:
    async def test_an_administrator_creates_a_client_shown_once_stored_hashed(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        client, secret = await created(store, clock, admin, school)
        assert store.api_clients[client.id].secret_hash == hash_secret(secret)
        assert secret not in str(store.api_clients)
        assert store.commits == 1
        event = store.events[-1]
        assert (event.type, event.target_id, event.actor, event.details) == (
            "API_CLIENT_CREATED",
            client.id,
            Actor(admin.user.id, "user"),
            {"scopes": ["students:read"]},
        )

    async def test_a_member_or_a_client_may_not(
        self, store: JoiningStore, clock: FakeClock, school: Organization
    ) -> None:
        member = store.add_user(email="prof@ac-paris.fr")
        store.add_member(school, member.id)
        create = CreateApiClient(lambda: uow_of(store), clock)
        with pytest.raises(RoleNotAllowed):
            await create(Viewer(member, "s"), CreateApiClientCommand(school.id, "ENT", READ))
        with pytest.raises(InsufficientScope):
            await create(ClientCaller(1, school.id, ALL), CreateApiClientCommand(school.id, "ENT", READ))
        assert store.api_clients == {}

    async def test_at_most_ten_live_clients(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        made = [await created(store, clock, admin, school) for _ in range(MAX_LIVE_CLIENTS)]
        with pytest.raises(TooManyApiClients):
            await created(store, clock, admin, school)
        await RevokeApiClient(lambda: uow_of(store), clock)(admin, school.id, made[0][0].id)
        await created(store, clock, admin, school)

    async def test_the_list_shows_live_clients(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        kept, _ = await created(store, clock, admin, school)
        gone, _ = await created(store, clock, admin, school)
        await RevokeApiClient(lambda: uow_of(store), clock)(admin, school.id, gone.id)
        listed = await ListApiClients(lambda: uow_of(store))(admin, school.id)
        assert [c.id for c in listed] == [kept.id]


class TestTokens:
    async def test_rotation_keeps_the_previous_secret_for_24_hours(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        client, first = await created(store, clock, admin, school)
        second = await RotateApiClientSecret(lambda: uow_of(store), clock)(admin, school.id, client.id)
        issue = issuer(store, clock)
        clock.advance(hours=23, minutes=59)
        await issue(command(client, first))
        await issue(command(client, second))
        clock.advance(minutes=1)
        with pytest.raises(InvalidClient):
            await issue(command(client, first))
        token = await issue(command(client, second))
        assert token.scopes == READ
        assert [e.type for e in store.events][-1] == "API_CLIENT_SECRET_ROTATED"

    async def test_a_failure_is_counted_per_address_then_refused(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        client, secret = await created(store, clock, admin, school)
        limiter = FakeLimiter({Limit.API_CLIENT_TOKEN_FAILURES_PER_ADDRESS: 2})
        issue = issuer(store, clock, limiter)
        for _ in range(2):
            with pytest.raises(InvalidClient):
                await issue(command(client, "wrong"))
        with pytest.raises(TooManyRequests):
            await issue(command(client, secret))

    async def test_last_used_at_is_set_at_issue(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        client, secret = await created(store, clock, admin, school)
        clock.advance(minutes=5)
        await issuer(store, clock)(command(client, secret))
        assert store.api_clients[client.id].last_used_at == clock.now()

    async def test_a_token_reads_the_client_on_every_request(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        client, secret = await created(store, clock, admin, school)
        token = await issuer(store, clock)(command(client, secret))
        authenticate = AuthenticateClient(lambda: uow_of(store), FakeClientTokens(), FakeLimiter())
        caller = await authenticate(token.access_token)
        assert caller == ClientCaller(client.id, school.id, READ)
        assert await authenticate("access:1:session") is None
        await RevokeApiClient(lambda: uow_of(store), clock)(admin, school.id, client.id)
        with pytest.raises(Unauthenticated):
            await authenticate(token.access_token)

    async def test_requests_are_counted_per_client(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        client, _ = await created(store, clock, admin, school)
        token, _ = FakeClientTokens().issue_client(ClientClaims(client.id, school.id, READ))
        limiter = FakeLimiter({Limit.API_CLIENT_REQUESTS: 2})
        authenticate = AuthenticateClient(lambda: uow_of(store), FakeClientTokens(), limiter)
        await authenticate(token)
        await authenticate(token)
        with pytest.raises(TooManyRequests):
            await authenticate(token)


class TestRevocation:
    async def test_only_the_organizations_clients(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        other_school = store.add_organization()
        other_admin = store.add_user(email="b@ac-paris.fr")
        store.add_member(other_school, other_admin.id, role=Role.ADMIN)
        client, _ = await created(store, clock, admin, school)
        with pytest.raises(ApiClientNotFound):
            await RevokeApiClient(lambda: uow_of(store), clock)(
                Viewer(other_admin, "s"), other_school.id, client.id
            )
        with pytest.raises(ApiClientNotFound):
            await RotateApiClientSecret(lambda: uow_of(store), clock)(
                Viewer(other_admin, "s"), other_school.id, client.id
            )
        assert store.api_clients[client.id].is_live

    async def test_support_lists_and_revokes_any(
        self, store: JoiningStore, clock: FakeClock, admin: Viewer, school: Organization
    ) -> None:
        support = Viewer(store.add_user(email="support@pix.fr", support=True), "s")
        client, _ = await created(store, clock, admin, school)
        with pytest.raises(RoleNotAllowed):
            await SupportListApiClients(lambda: uow_of(store))(admin, None, PageRequest())
        await SupportRevokeApiClient(lambda: uow_of(store), clock)(support, client.id)
        page = await SupportListApiClients(lambda: uow_of(store))(support, school.id, PageRequest())
        assert [(c.id, c.revoked_at) for c in page.items] == [(client.id, T0)]
        assert store.events[-1].actor == Actor(support.user.id, "support")
        with pytest.raises(ApiClientNotFound):
            await SupportRevokeApiClient(lambda: uow_of(store), clock)(support, client.id)


class TestAccessOfAClient:
    async def test_scope_first_then_its_own_organization_only(
        self, store: JoiningStore, school: Organization
    ) -> None:
        other_school = store.add_organization()
        authorize = AuthorizeOrganizationAccess(lambda: uow_of(store))
        client = ClientCaller(7, school.id, READ)
        access = await authorize(client, school.id, scope=Scope.STUDENTS_READ)
        assert (access.organization.id, access.membership, access.client) == (school.id, None, client)
        with pytest.raises(InsufficientScope):
            await authorize(client, school.id, scope=Scope.STUDENTS_IMPORT)
        with pytest.raises(InsufficientScope):
            await authorize(client, school.id)  # a route naming no scope: deny by default
        with pytest.raises(InsufficientScope):
            await authorize(client, other_school.id, scope=Scope.STUDENTS_IMPORT)
        with pytest.raises(OrganizationNotFound):
            await authorize(client, other_school.id, scope=Scope.STUDENTS_READ)

    def test_the_audit_records_the_client(self) -> None:
        assert actor_of(ClientCaller(7, 1, READ)) == Actor(None, "api_client", api_client_id=7)
