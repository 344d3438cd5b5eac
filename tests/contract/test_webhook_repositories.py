"""Webhook endpoints, the event log's fan-out and the webhook lists: the same on the fakes and in SQL."""

from __future__ import annotations

from datetime import timedelta

from domain.notifications.webhooks import membership_event, student_linked, webhook_test
from domain.pagination import PageRequest
from domain.webhooks.entities import EndpointStatus, NewWebhookEndpoint, WebhookDeliveryStatus
from tests.contract.backends import T0, Backend, committed_organization

LATER = T0 + timedelta(minutes=5)


def new_endpoint(
    organization_id: int, *events: str, url: str = "https://hooks.example.com/a"
) -> NewWebhookEndpoint:
    return NewWebhookEndpoint(organization_id, url, events or ("student.linked",), "SI", b"sealed", T0)


class TestEndpoints:
    async def test_what_is_added_is_read_back_updated_and_deleted(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.webhook_endpoints.add(
                new_endpoint(school.id, "student.linked", "membership.created")
            )
            assert (added.url, added.events, added.status, added.description, added.failing_since) == (
                "https://hooks.example.com/a",
                ("student.linked", "membership.created"),
                EndpointStatus.ENABLED,
                "SI",
                None,
            )
            assert (added.created_at, added.updated_at) == (T0, T0)
            assert await uow.webhook_endpoints.get(added.id) == added
            assert await uow.webhook_endpoints.get(999) is None
            assert await uow.webhook_endpoints.lock_count(school.id) == 1

            updated = await uow.webhook_endpoints.update(
                added.id, events=("student.detached",), status=EndpointStatus.DISABLED, now=LATER
            )
            assert (updated.events, updated.status, updated.updated_at) == (
                ("student.detached",),
                EndpointStatus.DISABLED,
                LATER,
            )
            assert await uow.webhook_endpoints.get(added.id) == updated

            await uow.webhook_endpoints.delete(added.id)
            assert await uow.webhook_endpoints.get(added.id) is None
            assert await uow.webhook_endpoints.lock_count(school.id) == 0

    async def test_endpoints_are_listed_per_organization_oldest_first(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0750002B", "Autre")
        async with backend.uow() as uow:
            first = await uow.webhook_endpoints.add(new_endpoint(school.id))
            await uow.webhook_endpoints.add(new_endpoint(other.id))
            second = await uow.webhook_endpoints.add(new_endpoint(school.id, url="https://b.example.com/"))
            page = await uow.webhook_queries.list_endpoints(school.id, PageRequest(1, 1))
            assert ([e.id for e in page.items], page.total) == ([first.id], 2)
            page = await uow.webhook_queries.list_endpoints(school.id, PageRequest(2, 1))
            assert [e.id for e in page.items] == [second.id]


class TestEventLog:
    async def test_an_event_fans_out_to_the_enabled_subscribed_endpoints_of_its_organization(
        self, backend: Backend
    ) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0750002B", "Autre")
        async with backend.uow() as uow:
            linked = await uow.webhook_endpoints.add(new_endpoint(school.id, "student.linked"))
            members = await uow.webhook_endpoints.add(new_endpoint(school.id, "membership.created"))
            disabled = await uow.webhook_endpoints.add(new_endpoint(school.id, "student.linked"))
            await uow.webhook_endpoints.update(
                disabled.id, events=disabled.events, status=EndpointStatus.DISABLED, now=T0
            )
            elsewhere = await uow.webhook_endpoints.add(new_endpoint(other.id, "student.linked"))

            event_id = await uow.webhook_events.record(student_linked(school.id, 7, 42, T0))
            assert event_id is not None
            assert (
                await uow.webhook_events.record(
                    membership_event("membership.removed", school.id, 1, 2, "ADMIN", T0)
                )
                is None
            )
            test_id = await uow.webhook_events.record(webhook_test(school.id, disabled.id, LATER))
            await uow.commit()

        async with backend.uow() as uow:
            [delivery] = (await uow.webhook_queries.list_deliveries(linked.id, PageRequest())).items
            assert (delivery.event_id, delivery.event_type, delivery.status, delivery.attempts) == (
                event_id,
                "student.linked",
                WebhookDeliveryStatus.PENDING,
                0,
            )
            assert (delivery.last_status_code, delivery.last_attempt_at, delivery.next_attempt_at) == (
                None,
                None,
                T0,
            )
            for nothing in (members, elsewhere):
                assert (await uow.webhook_queries.list_deliveries(nothing.id, PageRequest())).total == 0
            [tested] = (await uow.webhook_queries.list_deliveries(disabled.id, PageRequest())).items
            assert (tested.event_id, tested.event_type) == (test_id, "webhook.test")

    async def test_deliveries_are_listed_newest_first_and_go_with_their_endpoint(
        self, backend: Backend
    ) -> None:
        school = await committed_organization(backend)
        async with backend.uow() as uow:
            endpoint = await uow.webhook_endpoints.add(new_endpoint(school.id, "student.linked"))
            first = await uow.webhook_events.record(student_linked(school.id, 1, 2, T0))
            second = await uow.webhook_events.record(student_linked(school.id, 3, 4, LATER))
            page = await uow.webhook_queries.list_deliveries(endpoint.id, PageRequest())
            assert [d.event_id for d in page.items] == [second, first]
            await uow.webhook_endpoints.delete(endpoint.id)
            assert (await uow.webhook_queries.list_deliveries(endpoint.id, PageRequest())).total == 0
