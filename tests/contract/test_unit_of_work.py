"""A unit of work keeps nothing it did not commit, on the fakes as in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.audit.events import Actor, AuditEvent, AuditFilter
from domain.campaigns.ports import NewParticipation
from domain.notifications.email import INVITATION
from domain.notifications.outbox import QueuedEmail
from domain.organizations.entities import Role
from domain.organizations.ports import NewInvitation
from domain.pagination import PageRequest
from tests.contract.backends import (
    T0,
    Backend,
    ContractUnitOfWork,
    Pupil,
    committed_campaign,
    committed_organization,
    committed_user,
    new_campaign,
    new_organization,
    new_user,
)

LATER = T0 + timedelta(hours=1)


class Boom(Exception):
    pass


async def write_everywhere(uow: ContractUnitOfWork) -> None:
    """One write through each repository, on top of what ``seed`` committed."""
    ada = await uow.users.find_by_email("ada@example.fr")
    organization = await uow.organizations.get_by_uai("0751234A")
    overview = await uow.campaigns.get_by_code("ABCDEF234")
    assert ada is not None and organization is not None and overview is not None
    campaign = overview.campaign
    (alan,) = await uow.student_links.active_born_on(organization.id, Pupil("x").birthdate)
    await uow.users.add(new_user("grace@example.fr"))
    await uow.users.set_password(
        ada.id, "hash:new", must_change_password=True, temporary_password_expires_at=None, now=LATER
    )
    await uow.sessions.open("s1", ada.id, T0, "h1", LATER)
    await uow.password_resets.add("h1", ada.id, T0, LATER)
    await uow.organizations.add(new_organization("0759999Z", "Autre"))
    await uow.organizations.archive(organization.id, LATER)
    await uow.memberships.add(organization.id, ada.id, Role.ADMIN, T0)
    invitation = await uow.invitations.add(
        NewInvitation(organization.id, "grace@example.fr", None, "c1", "fr", False, None, T0, LATER)
    )
    await uow.outbox.enqueue(QueuedEmail(INVITATION, "fr", "grace@example.fr", {}, invitation.id))
    await uow.audit.record(AuditEvent("A", Actor.cli(), T0))
    await uow.campaigns.add(new_campaign(organization.id, "GHJKLM567"))
    await uow.campaigns.archive(campaign.id, LATER)
    await uow.participations.add(NewParticipation(campaign.id, ada.id, None, False, T0))
    assert await uow.students.attach(alan.id, ada.id, LATER)


async def seed(backend: Backend) -> None:
    await committed_user(backend)
    organization = await committed_organization(backend)
    await committed_campaign(backend, organization.id)
    await backend.add_pupils(organization.id, [Pupil("000000001AA")], T0)


async def snapshot(backend: Backend) -> tuple[object, ...]:
    """What every repository shows of the state ``write_everywhere`` touches."""
    async with backend.uow() as uow:
        ada = await uow.users.find_by_email("ada@example.fr")
        assert ada is not None
        organization = await uow.organizations.get_by_uai("0751234A")
        campaign = await uow.campaigns.get_by_code("ABCDEF234")
        assert organization is not None and campaign is not None
        reset = await uow.password_resets.consume("h1", T0)
        return (
            ada,
            reset,
            await uow.users.find_by_email("grace@example.fr"),
            await uow.sessions.account_of("s1", ada.id),
            await uow.sessions.find_refresh_token("h1"),
            organization,
            await uow.organizations.get_by_uai("0759999Z"),
            await uow.memberships.find(organization.id, ada.id),
            await uow.invitations.find_pending(organization.id, "grace@example.fr"),
            await uow.invitations.lock_sent_emails(organization.id, T0),
            (await uow.audit_queries.search(AuditFilter(), PageRequest())).total,
            campaign,
            await uow.campaigns.get_by_code("GHJKLM567"),
            await uow.participations.find(campaign.campaign.id, ada.id),
            await uow.student_links.of_user(ada.id),
        )


async def test_what_is_not_committed_is_left_out(backend: Backend) -> None:
    await seed(backend)
    before = await snapshot(backend)
    async with backend.uow() as uow:
        await write_everywhere(uow)
    assert await snapshot(backend) == before


async def test_an_error_leaves_out_every_write_of_the_unit(backend: Backend) -> None:
    await seed(backend)
    before = await snapshot(backend)
    with pytest.raises(Boom):
        async with backend.uow() as uow:
            await write_everywhere(uow)
            raise Boom()
    assert await snapshot(backend) == before


async def test_what_is_committed_is_kept_and_later_writes_are_not(backend: Backend) -> None:
    await seed(backend)
    before = await snapshot(backend)
    async with backend.uow() as uow:
        await write_everywhere(uow)
        await uow.commit()
        await uow.users.add(new_user("late@example.fr"))
    after = await snapshot(backend)
    assert all(old != new for old, new in zip(before, after, strict=True))
    async with backend.uow() as uow:
        assert await uow.users.find_by_email("late@example.fr") is None
