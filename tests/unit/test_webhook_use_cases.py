"""The webhook use cases on the fakes, in milliseconds: who may, what is stored, what is recorded."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable

import pytest

from domain.accounts.entities import Viewer
from domain.notifications.webhooks import EVENT_TYPES
from domain.organizations.change_member_role import ChangeMemberRole
from domain.organizations.entities import Organization, Role
from domain.organizations.errors import OrganizationNotFound, RoleNotAllowed
from domain.organizations.remove_member import RemoveMember
from domain.pagination import PageRequest
from domain.webhooks.create_webhook_endpoint import CreateWebhookEndpoint, CreateWebhookEndpointCommand
from domain.webhooks.decisions import MAX_ENDPOINTS_PER_ORGANIZATION
from domain.webhooks.delete_webhook_endpoint import DeleteWebhookEndpoint
from domain.webhooks.entities import EndpointStatus, WebhookDeliveryStatus
from domain.webhooks.errors import (
    InvalidWebhookUrl,
    TooManyWebhookEndpoints,
    WebhookEndpointDisabled,
    WebhookEndpointNotFound,
)
from domain.webhooks.list_webhook_deliveries import ListWebhookDeliveries
from domain.webhooks.list_webhook_endpoints import ListWebhookEndpoints
from domain.webhooks.send_test_webhook import SendTestWebhook
from domain.webhooks.update_webhook_endpoint import UpdateWebhookEndpoint, UpdateWebhookEndpointCommand
from tests.support.webhooks import StaticResolver
from tests.unit.fakes import FakeClock, FakeUnitOfWork
from tests.unit.fakes_campaigns import T0, JoiningStore

URL = "https://hooks.example.com/pix"


class ReversibleCipher:
    def encrypt(self, secret: str) -> bytes:
        return b"enc:" + secret[::-1].encode()

    def decrypt(self, token: bytes) -> str:
        return token.removeprefix(b"enc:").decode()[::-1]


@pytest.fixture
def store() -> JoiningStore:
    return JoiningStore()


@pytest.fixture
def school(store: JoiningStore) -> Organization:
    return store.add_organization()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def uow(store: JoiningStore) -> Callable[[], FakeUnitOfWork]:
    return lambda: FakeUnitOfWork(store)


def member(store: JoiningStore, organization: Organization, email: str, role: Role = Role.ADMIN) -> Viewer:
    user = store.add_user(email=email)
    store.add_member(organization, user.id, role=role)
    return Viewer(user, "session")


def creator(
    store: JoiningStore,
    clock: FakeClock,
    resolver: StaticResolver | None = None,
    *,
    allow_private: bool = False,
) -> CreateWebhookEndpoint:
    return CreateWebhookEndpoint(
        uow(store),
        clock,
        resolver or StaticResolver({"hooks.example.com": ["93.184.215.14"]}),
        ReversibleCipher(),
        allow_private_addresses=allow_private,
    )


def command(organization: Organization, url: str = URL, *events: str) -> CreateWebhookEndpointCommand:
    return CreateWebhookEndpointCommand(organization.id, url, events or ("student.linked",), "SI du lycée")


class TestCreate:
    async def test_the_secret_is_returned_once_and_stored_encrypted(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin = member(store, school, "admin@ac-paris.fr")

        created = await creator(store, clock)(admin, command(school, URL, "student.linked", "student.linked"))

        assert created.secret.startswith("whsec_")
        assert len(base64.b64decode(created.secret.removeprefix("whsec_"))) == 32
        endpoint = created.endpoint
        assert (endpoint.url, endpoint.events, endpoint.status, endpoint.description) == (
            URL,
            ("student.linked",),
            EndpointStatus.ENABLED,
            "SI du lycée",
        )
        stored = store.webhook_secrets[endpoint.id]
        assert created.secret.encode() not in stored
        assert ReversibleCipher().decrypt(stored) == created.secret
        [event] = store.events
        assert (event.type, event.target_id, event.actor.user_id) == (
            "WEBHOOK_ENDPOINT_CREATED",
            endpoint.id,
            admin.user.id,
        )
        assert event.details == {"events": ["student.linked"]}

    @pytest.mark.parametrize(
        ("url", "table", "reason"),
        [
            ("http://hooks.example.com/pix", {}, "NOT_HTTPS"),
            ("https://localhost/pix", {"localhost": ["127.0.0.1", "::1"]}, "NON_PUBLIC_ADDRESS"),
            ("https://intranet.example/pix", {"intranet.example": ["10.0.0.3"]}, "NON_PUBLIC_ADDRESS"),
            ("https://metadata.example/", {"metadata.example": ["169.254.169.254"]}, "NON_PUBLIC_ADDRESS"),
            ("https://[::1]/pix", {}, "NON_PUBLIC_ADDRESS"),
            ("https://nowhere.example/pix", {}, "UNRESOLVABLE"),
        ],
    )
    async def test_urls_that_do_not_lead_to_a_public_https_address_are_refused(
        self, store: JoiningStore, school: Organization, clock: FakeClock, url: str, table: dict, reason: str
    ) -> None:
        admin = member(store, school, "admin@ac-paris.fr")

        with pytest.raises(InvalidWebhookUrl) as refused:
            await creator(store, clock, StaticResolver(table))(admin, command(school, url))

        assert refused.value.reason == reason
        assert store.webhook_endpoints == {} and store.commits == 0

    async def test_private_addresses_and_http_when_allowed(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin = member(store, school, "admin@ac-paris.fr")

        created = await creator(store, clock, allow_private=True)(
            admin, command(school, "http://127.0.0.1:9/x")
        )

        assert created.endpoint.url == "http://127.0.0.1:9/x"

    async def test_at_most_ten_endpoints_per_organization(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin = member(store, school, "admin@ac-paris.fr")
        create = creator(store, clock)
        for _ in range(MAX_ENDPOINTS_PER_ORGANIZATION):
            await create(admin, command(school))

        with pytest.raises(TooManyWebhookEndpoints):
            await create(admin, command(school))

    async def test_only_the_administrators_of_the_organization(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        teacher = member(store, school, "teacher@ac-paris.fr", Role.MEMBER)
        outsider = member(store, store.add_organization(), "other@ac-paris.fr")
        never_resolved = StaticResolver()

        with pytest.raises(RoleNotAllowed):
            await creator(store, clock, never_resolved)(teacher, command(school, "https://nowhere.example/"))
        with pytest.raises(OrganizationNotFound):
            await creator(store, clock, never_resolved)(outsider, command(school, "https://nowhere.example/"))


async def registered(
    store: JoiningStore, school: Organization, clock: FakeClock, *events: str
) -> tuple[Viewer, int]:
    admin = next(
        (
            Viewer(store.users[m.user_id], "s")
            for m in store.memberships.values()
            if m.organization_id == school.id
        ),
        None,
    ) or member(store, school, f"admin{school.id}@ac-paris.fr")
    created = await creator(store, clock)(admin, command(school, URL, *events))
    return admin, created.endpoint.id


class TestManage:
    async def test_list_update_and_delete(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin, endpoint_id = await registered(store, school, clock)
        update = UpdateWebhookEndpoint(uow(store), clock)
        store.webhook_endpoints[endpoint_id] = dataclasses.replace(
            store.webhook_endpoints[endpoint_id], failing_since=T0, status=EndpointStatus.DISABLED
        )

        clock.advance(minutes=5)
        updated = await update(
            admin,
            UpdateWebhookEndpointCommand(
                school.id, endpoint_id, ("membership.created",), EndpointStatus.ENABLED
            ),
        )

        assert (updated.events, updated.status, updated.failing_since, updated.updated_at) == (
            ("membership.created",),
            EndpointStatus.ENABLED,
            None,
            clock.now(),
        )
        page = await ListWebhookEndpoints(uow(store))(admin, school.id, PageRequest())
        assert [e.id for e in page.items] == [endpoint_id]
        assert store.events[-1].type == "WEBHOOK_ENDPOINT_UPDATED"
        audited = len(store.events)
        assert await update(admin, UpdateWebhookEndpointCommand(school.id, endpoint_id)) == updated
        assert len(store.events) == audited  # nothing changed, nothing audited

        await SendTestWebhook(uow(store), clock)(admin, school.id, endpoint_id)
        await DeleteWebhookEndpoint(uow(store), clock)(admin, school.id, endpoint_id)

        assert store.webhook_endpoints == {} and store.webhook_deliveries == {}
        assert store.events[-1].type == "WEBHOOK_ENDPOINT_DELETED"

    async def test_an_endpoint_of_another_organization_is_not_found(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        _, foreign = await registered(store, school, clock)
        other = store.add_organization()
        admin_b = member(store, other, "admin-b@ac-paris.fr")
        for call in (
            UpdateWebhookEndpoint(uow(store), clock)(
                admin_b, UpdateWebhookEndpointCommand(other.id, foreign, status=EndpointStatus.DISABLED)
            ),
            DeleteWebhookEndpoint(uow(store), clock)(admin_b, other.id, foreign),
            SendTestWebhook(uow(store), clock)(admin_b, other.id, foreign),
            ListWebhookDeliveries(uow(store))(admin_b, other.id, foreign, PageRequest()),
        ):
            with pytest.raises(WebhookEndpointNotFound):
                await call
        assert foreign in store.webhook_endpoints

    async def test_a_test_event_goes_to_that_endpoint_only_and_is_listed(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin, endpoint_id = await registered(store, school, clock, "student.linked")
        await registered(store, school, clock, "webhook.test")

        event_id = await SendTestWebhook(uow(store), clock)(admin, school.id, endpoint_id)

        page = await ListWebhookDeliveries(uow(store))(admin, school.id, endpoint_id, PageRequest())
        [delivery] = page.items
        assert (delivery.event_id, delivery.event_type, delivery.status, delivery.attempts) == (
            event_id,
            "webhook.test",
            WebhookDeliveryStatus.PENDING,
            0,
        )
        assert len(store.webhook_deliveries) == 1
        assert store.webhook_events[event_id].data == {}

    async def test_a_disabled_endpoint_gets_no_test(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin, endpoint_id = await registered(store, school, clock)
        await UpdateWebhookEndpoint(uow(store), clock)(
            admin, UpdateWebhookEndpointCommand(school.id, endpoint_id, status=EndpointStatus.DISABLED)
        )
        with pytest.raises(WebhookEndpointDisabled):
            await SendTestWebhook(uow(store), clock)(admin, school.id, endpoint_id)
        assert store.webhook_deliveries == {}


class TestEventsOfOtherUseCases:
    async def test_team_changes_are_recorded_with_their_change_and_ids_only(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin, endpoint_id = await registered(store, school, clock, *EVENT_TYPES)
        colleague = member(store, school, "colleague@ac-paris.fr", Role.MEMBER)
        membership = next(m for m in store.memberships.values() if m.user_id == colleague.user.id)

        await ChangeMemberRole(uow(store), clock)(admin, school.id, membership.id, Role.ADMIN)
        await RemoveMember(uow(store), clock)(admin, school.id, membership.id)

        recorded = [(e.type, dict(e.data)) for e in store.webhook_events.values()]
        assert recorded == [
            (
                "membership.updated",
                {"membership_id": membership.id, "user_id": colleague.user.id, "role": "ADMIN"},
            ),
            (
                "membership.removed",
                {"membership_id": membership.id, "user_id": colleague.user.id, "role": "ADMIN"},
            ),
        ]
        assert {d.endpoint_id for d in store.webhook_deliveries.values()} == {endpoint_id}

    async def test_a_refused_change_records_nothing(
        self, store: JoiningStore, school: Organization, clock: FakeClock
    ) -> None:
        admin, _ = await registered(store, school, clock, *EVENT_TYPES)
        own = next(m for m in store.memberships.values() if m.user_id == admin.user.id)

        with pytest.raises(Exception, match="LAST_ADMIN"):
            await RemoveMember(uow(store), clock)(admin, school.id, own.id)

        assert store.webhook_events == {}
