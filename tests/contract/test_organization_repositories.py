"""Organizations, memberships and the audit trail: the same on the fakes and in SQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.audit.events import Actor, AuditEvent, AuditFilter
from domain.organizations.entities import Membership, MemberView, OrganizationType, Role, UserMembership
from domain.organizations.errors import UaiAlreadyUsed
from domain.pagination import PageRequest
from tests.contract.backends import (
    T0,
    Backend,
    committed_organization,
    committed_user,
    new_organization,
    new_user,
)

LATER = T0 + timedelta(hours=1)


class TestOrganizations:
    async def test_what_is_added_is_read_back_by_id_and_by_uai(self, backend: Backend) -> None:
        async with backend.uow() as uow:
            added = await uow.organizations.add(new_organization("0751234A", "Lycée Pix"))
            assert added.archived_at is None
            assert (added.name, added.type, added.uai, added.created_at) == (
                "Lycée Pix",
                OrganizationType.SCO,
                "0751234A",
                T0,
            )
            assert await uow.organizations.get(added.id) == added
            assert await uow.organizations.get_by_uai("0751234A") == added
            assert await uow.organizations.get(999) is None
            assert await uow.organizations.get_by_uai("0759999Z") is None

    async def test_a_uai_is_used_once_organizations_without_one_are_many(self, backend: Backend) -> None:
        await committed_organization(backend, "0751234A")
        async with backend.uow() as uow:
            with pytest.raises(UaiAlreadyUsed):
                await uow.organizations.add(new_organization("0751234A", "Autre"))
            first = await uow.organizations.add(new_organization(None, "Université A"))
            second = await uow.organizations.add(new_organization(None, "Université B"))
            await uow.commit()
        async with backend.uow() as uow:
            assert [await uow.organizations.get(o.id) for o in (first, second)] == [first, second]

    async def test_search_filters_orders_by_name_and_pages(self, backend: Backend) -> None:
        async with backend.uow() as uow:
            bravo = await uow.organizations.add(new_organization("0750002B", "Lycée Bravo"))
            alpha = await uow.organizations.add(new_organization("0750001A", "Lycée Alpha"))
            college = await uow.organizations.add(new_organization("0750003C", "Collège Zulu"))
            every = await uow.organization_queries.search(None, None, PageRequest())
            assert [o.id for o in every.items] == [college.id, alpha.id, bravo.id]
            named = await uow.organization_queries.search(None, "LYC", PageRequest(2, 1))
            assert ([o.id for o in named.items], named.total) == ([bravo.id], 2)
            by_uai = await uow.organization_queries.search("0750001A", "lyc", PageRequest())
            assert [o.id for o in by_uai.items] == [alpha.id]
            assert (await uow.organization_queries.search(None, "%", PageRequest())).total == 0

    async def test_archiving_keeps_the_first_date(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            await uow.organizations.archive(organization.id, LATER)
            await uow.organizations.archive(organization.id, LATER + timedelta(days=1))
            assert await uow.organizations.get(organization.id) == dataclasses.replace(
                organization, archived_at=LATER
            )


class TestMemberships:
    async def test_what_is_added_is_found_by_id_and_by_pair(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            added = await uow.memberships.add(organization.id, ada.id, Role.ADMIN, T0)
            assert added == Membership(added.id, organization.id, ada.id, Role.ADMIN, T0, T0, None)
            assert await uow.memberships.get(added.id) == added
            assert await uow.memberships.find(organization.id, ada.id) == added
            assert await uow.memberships.find(organization.id, 999) is None
            assert await uow.memberships.get(999) is None
            assert await uow.memberships.get_view(999) is None

    async def test_update_changes_the_role_and_disables_or_enables(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            added = await uow.memberships.add(organization.id, ada.id, Role.ADMIN, T0)
            disabled = await uow.memberships.update(added.id, role=Role.MEMBER, enabled=False, now=LATER)
            assert disabled == dataclasses.replace(
                added, role=Role.MEMBER, updated_at=LATER, disabled_at=LATER
            )
            assert await uow.memberships.get(added.id) == disabled
            assert not await uow.memberships.has_active_membership(ada.id)
            enabled = await uow.memberships.update(added.id, role=Role.ADMIN, enabled=True, now=LATER)
            assert enabled.disabled_at is None and enabled.role is Role.ADMIN
            assert await uow.memberships.has_active_membership(ada.id)

    async def test_the_active_memberships_of_a_user_by_organization_name(self, backend: Backend) -> None:
        bravo = await committed_organization(backend, "0750002B", "Lycée Bravo")
        alpha = await committed_organization(backend, "0750001A", "Lycée Alpha")
        gone = await committed_organization(backend, "0750003C", "Lycée Charlie")
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            assert not await uow.memberships.has_active_membership(ada.id)
            assert await uow.memberships.list_active_for_user(ada.id) == []
            in_bravo = await uow.memberships.add(bravo.id, ada.id, Role.MEMBER, T0)
            in_alpha = await uow.memberships.add(alpha.id, ada.id, Role.ADMIN, T0)
            left = await uow.memberships.add(gone.id, ada.id, Role.ADMIN, T0)
            await uow.memberships.update(left.id, role=Role.ADMIN, enabled=False, now=LATER)
            assert await uow.memberships.list_active_for_user(ada.id) == [
                UserMembership(in_alpha.id, Role.ADMIN, alpha.id, "Lycée Alpha", OrganizationType.SCO),
                UserMembership(in_bravo.id, Role.MEMBER, bravo.id, "Lycée Bravo", OrganizationType.SCO),
            ]

    async def test_members_admins_and_counts_only_count_the_active(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        async with backend.uow() as uow:
            zola = await uow.users.add(new_user("emile@example.fr", last_name="zola"))
            curie = await uow.users.add(new_user("marie@example.fr", last_name="Curie"))
            byron = await uow.users.add(new_user("ada@example.fr", last_name="Byron"))
            gone = await uow.users.add(new_user("gone@example.fr", last_name="Adams"))
            m_zola = await uow.memberships.add(organization.id, zola.id, Role.ADMIN, T0)
            m_curie = await uow.memberships.add(organization.id, curie.id, Role.MEMBER, T0)
            m_byron = await uow.memberships.add(organization.id, byron.id, Role.ADMIN, T0)
            m_gone = await uow.memberships.add(organization.id, gone.id, Role.ADMIN, T0)
            await uow.memberships.update(m_gone.id, role=Role.ADMIN, enabled=False, now=LATER)
            await uow.memberships.add(other.id, gone.id, Role.ADMIN, T0)
            assert await uow.memberships.lock_active_admins(organization.id) == [zola.id, byron.id]
            assert await uow.memberships.count_active(organization.id) == 3
            first = await uow.organization_queries.list_members(organization.id, PageRequest(1, 2))
            second = await uow.organization_queries.list_members(organization.id, PageRequest(2, 2))
            assert first.total == 3
            assert [v.id for v in first.items + second.items] == [m_byron.id, m_curie.id, m_zola.id]
            assert await uow.memberships.get_view(m_curie.id) == MemberView(
                m_curie.id, Role.MEMBER, T0, curie.id, "Ada", "Curie", "marie@example.fr"
            )


class TestAudit:
    async def test_events_are_read_back_latest_first_filtered_and_paged(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        ada = await committed_user(backend)
        events = [
            AuditEvent("A", Actor(ada.id, "user"), T0, organization.id, "membership", 7, {"role": "ADMIN"}),
            AuditEvent("B", Actor.cli(), LATER, organization.id),
            AuditEvent("A", Actor(ada.id, "user"), LATER, None),
            AuditEvent("C", Actor.anonymous(), T0),
        ]
        async with backend.uow() as uow:
            await uow.audit.record(events[0])
            await uow.audit.record(*events[1:])  # several at once, in their order
            every = await uow.audit_queries.search(AuditFilter(), PageRequest())
            assert [stored.event for stored in every.items] == [events[2], events[1], events[3], events[0]]
            ids = [stored.id for stored in every.items]
            assert ids[0] > ids[1] and ids[2] > ids[3]
            page = await uow.audit_queries.search(
                AuditFilter(organization_id=organization.id), PageRequest(2, 1)
            )
            assert ([s.event for s in page.items], page.total) == ([events[0]], 2)
            mine = await uow.audit_queries.search(AuditFilter(actor_id=ada.id, type="A"), PageRequest())
            assert [s.event for s in mine.items] == [events[2], events[0]]
            assert (await uow.audit_queries.search(AuditFilter(type="Z"), PageRequest())).total == 0
