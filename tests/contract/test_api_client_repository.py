"""API clients: the repository and the lists, the same on the fakes and in SQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.api_clients.entities import NewApiClient, Scope
from domain.audit.events import Actor, AuditEvent, AuditFilter
from domain.pagination import PageRequest
from tests.contract.backends import T0, Backend, committed_organization, committed_user

LATER = T0 + timedelta(hours=1)
READ = frozenset({Scope.STUDENTS_READ})


def new_client(
    organization_id: int, client_id: str, created_at: datetime = T0, user_id: int | None = None
) -> NewApiClient:
    return NewApiClient(
        organization_id=organization_id,
        name=f"ENT {client_id}",
        client_id=client_id,
        scopes=frozenset({Scope.STUDENTS_READ, Scope.STUDENTS_IMPORT}),
        secret_hash="a" * 64,
        created_at=created_at,
        created_by_user_id=user_id,
    )


class TestApiClients:
    async def test_what_is_added_is_read_back_by_id_and_by_client_id(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        user = await committed_user(backend)
        async with backend.uow() as uow:
            added = await uow.api_clients.add(new_client(organization.id, "pxc_one", user_id=user.id))
            await uow.commit()
        assert (added.name, added.client_id, added.organization_id, added.created_by_user_id) == (
            "ENT pxc_one",
            "pxc_one",
            organization.id,
            user.id,
        )
        assert added.scopes == frozenset({Scope.STUDENTS_READ, Scope.STUDENTS_IMPORT})
        assert (added.last_used_at, added.revoked_at, added.previous_secret_hash) == (None, None, None)
        async with backend.uow() as uow:
            assert await uow.api_clients.get(added.id) == added
            assert await uow.api_clients.get(added.id, lock=True) == added
            assert await uow.api_clients.find_by_client_id("pxc_one") == added
            assert await uow.api_clients.find_by_client_id("pxc_nobody") is None
            assert await uow.api_clients.get(added.id + 100) is None

    async def test_live_clients_are_counted_per_organization(self, backend: Backend) -> None:
        school = await committed_organization(backend, "0751234A")
        other = await committed_organization(backend, "0759999Z", "Autre")
        async with backend.uow() as uow:
            first = await uow.api_clients.add(new_client(school.id, "pxc_1"))
            await uow.api_clients.add(new_client(school.id, "pxc_2"))
            await uow.api_clients.add(new_client(other.id, "pxc_3"))
            assert await uow.api_clients.revoke(first.id, LATER) is True
            assert await uow.api_clients.count_live(school.id) == 1
            assert await uow.api_clients.count_live(other.id) == 1
            await uow.commit()

    async def test_revocation_happens_once_and_drops_the_previous_secret(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.api_clients.add(new_client(organization.id, "pxc_1"))
            await uow.api_clients.rotate_secret(
                added.id,
                secret_hash="b" * 64,
                previous_secret_hash="a" * 64,
                previous_secret_expires_at=LATER,
            )
            rotated = await uow.api_clients.get(added.id)
            assert rotated is not None
            assert (
                rotated.secret_hash,
                rotated.previous_secret_hash,
                rotated.previous_secret_expires_at,
            ) == (
                "b" * 64,
                "a" * 64,
                LATER,
            )
            assert await uow.api_clients.revoke(added.id, LATER) is True
            assert await uow.api_clients.revoke(added.id, LATER) is False
            assert await uow.api_clients.revoke(added.id + 100, LATER) is False
            revoked = await uow.api_clients.get(added.id)
            assert revoked is not None
            assert (revoked.revoked_at, revoked.previous_secret_hash, revoked.is_live) == (LATER, None, False)

    async def test_last_used_at_is_written_at_most_once_per_precision(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.api_clients.add(new_client(organization.id, "pxc_1"))
            await uow.api_clients.mark_used(added.id, T0, precision_seconds=60)
            await uow.api_clients.mark_used(added.id, T0 + timedelta(seconds=59), precision_seconds=60)
            first = await uow.api_clients.get(added.id)
            assert first is not None
            assert first.last_used_at == T0
            await uow.api_clients.mark_used(added.id, T0 + timedelta(seconds=61), precision_seconds=60)
            second = await uow.api_clients.get(added.id)
            assert second is not None
            assert second.last_used_at == T0 + timedelta(seconds=61)

    async def test_lists_of_an_organization_and_of_all(self, backend: Backend) -> None:
        school = await committed_organization(backend, "0751234A")
        other = await committed_organization(backend, "0759999Z", "Autre")
        async with backend.uow() as uow:
            old = await uow.api_clients.add(new_client(school.id, "pxc_old", T0))
            new = await uow.api_clients.add(new_client(school.id, "pxc_new", LATER))
            gone = await uow.api_clients.add(new_client(school.id, "pxc_gone", T0 + timedelta(minutes=1)))
            elsewhere = await uow.api_clients.add(new_client(other.id, "pxc_else", T0 + timedelta(minutes=2)))
            await uow.api_clients.revoke(gone.id, LATER)
            await uow.commit()
        async with backend.uow() as uow:
            live = await uow.api_client_queries.of_organization(school.id)
            assert [c.id for c in live] == [old.id, new.id]
            everything = await uow.api_client_queries.search(None, PageRequest())
            assert [c.id for c in everything.items] == [new.id, elsewhere.id, gone.id, old.id]
            of_school = await uow.api_client_queries.search(school.id, PageRequest(2, 2))
            assert (of_school.total, [c.id for c in of_school.items]) == (3, [old.id])

    async def test_the_audit_log_keeps_the_acting_client(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.api_clients.add(new_client(organization.id, "pxc_1"))
            actor = Actor(None, "api_client", api_client_id=added.id)
            await uow.audit.record(
                AuditEvent("STUDENTS_IMPORTED", actor, T0, organization_id=organization.id)
            )
            await uow.commit()
        async with backend.uow() as uow:
            found = await uow.audit_queries.search(
                AuditFilter(organization_id=organization.id), PageRequest()
            )
            assert [stored.event.actor for stored in found.items] == [actor]
