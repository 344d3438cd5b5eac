"""Invitations and their e-mails: the same on the fakes and in SQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from domain.notifications.email import INVITATION
from domain.notifications.outbox import QueuedEmail
from domain.organizations.entities import DeliveryStatus, Invitation, InvitationStatus, Role
from domain.organizations.ports import NewInvitation, SentEmails
from domain.pagination import PageRequest
from tests.contract.backends import T0, Backend, ContractUnitOfWork, committed_organization, committed_user

LATER = T0 + timedelta(hours=1)
WEEK = timedelta(days=7)


def new_invitation(organization_id: int, email: str, now: datetime = T0) -> NewInvitation:
    """The first one's code hash is ``c1``; every code hash is unique."""
    code_hash = "c1" if email == "ada@example.fr" else f"{organization_id}:{email}:{now.isoformat()}"
    return NewInvitation(organization_id, email, Role.MEMBER, code_hash, "fr", False, None, now, now + WEEK)


async def invite(uow: ContractUnitOfWork, organization_id: int, email: str, now: datetime = T0) -> Invitation:
    """An invitation and its e-mail, as an invitation is sent."""
    invitation = await uow.invitations.add(new_invitation(organization_id, email, now=now))
    await uow.outbox.enqueue(QueuedEmail(INVITATION, "fr", email, {}, invitation.id))
    return invitation


class TestInvitations:
    async def test_what_is_added_is_read_back_pending(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.invitations.add(new_invitation(organization.id, "ada@example.fr"))
            assert added == Invitation(
                added.id,
                organization.id,
                "ada@example.fr",
                Role.MEMBER,
                InvitationStatus.PENDING,
                "c1",
                "fr",
                False,
                None,
                T0,
                T0,
                T0,
                T0 + WEEK,
                None,
                DeliveryStatus.QUEUED,
            )
            assert await uow.invitations.get(added.id) == added
            assert await uow.invitations.find_pending(organization.id, "ada@example.fr") == added
            assert await uow.invitations.find_pending(organization.id, "grace@example.fr") is None
            assert await uow.invitations.get(999) is None

    async def test_a_rotation_replaces_the_code_and_keeps_the_old_one_known(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.invitations.add(new_invitation(organization.id, "ada@example.fr"))
            rotated = await uow.invitations.rotate(
                added, code_hash="c2", role=Role.ADMIN, now=LATER, expires_at=LATER + WEEK
            )
            assert rotated == dataclasses.replace(
                added,
                code_hash="c2",
                role=Role.ADMIN,
                updated_at=LATER,
                last_sent_at=LATER,
                expires_at=LATER + WEEK,
            )
            assert await uow.invitations.is_replaced_code(added.id, "c1")
            assert not await uow.invitations.is_replaced_code(added.id, "c2")
            assert not await uow.invitations.is_replaced_code(added.id + 1, "c1")

    async def test_accepting_and_cancelling_only_a_pending_one(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            first = await uow.invitations.add(new_invitation(organization.id, "ada@example.fr"))
            second = await uow.invitations.add(new_invitation(organization.id, "grace@example.fr"))
            assert await uow.invitations.mark_accepted(first.id, ada.id, LATER)
            assert not await uow.invitations.mark_accepted(first.id, ada.id, LATER)
            assert not await uow.invitations.cancel(first.id, LATER)
            assert await uow.invitations.cancel(second.id, LATER)
            assert not await uow.invitations.mark_accepted(second.id, ada.id, LATER)
            assert not await uow.invitations.cancel(999, LATER)
            assert await uow.invitations.get(first.id) == dataclasses.replace(
                first, status=InvitationStatus.ACCEPTED, accepted_by_user_id=ada.id, updated_at=LATER
            )
            assert await uow.invitations.get(second.id) == dataclasses.replace(
                second, status=InvitationStatus.CANCELLED, updated_at=LATER
            )
            third = await uow.invitations.add(new_invitation(organization.id, "grace@example.fr", LATER))
            assert await uow.invitations.find_pending(organization.id, "grace@example.fr") == third

    async def test_archiving_cancels_every_pending_one_of_the_organization(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            accepted = await uow.invitations.add(new_invitation(organization.id, "ada@example.fr"))
            await uow.invitations.mark_accepted(accepted.id, ada.id, T0)
            for email in ("b@example.fr", "c@example.fr"):
                await uow.invitations.add(new_invitation(organization.id, email))
            elsewhere = await uow.invitations.add(new_invitation(other.id, "b@example.fr"))
            assert await uow.invitations.cancel_all_pending(organization.id, LATER) == 2
            assert await uow.invitations.cancel_all_pending(organization.id, LATER) == 0
            assert await uow.invitations.get(elsewhere.id) == elsewhere

    async def test_lists_by_status_latest_change_first_expired_ones_apart(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            old = await uow.invitations.add(new_invitation(organization.id, "old@example.fr", now=T0 - WEEK))
            first = await uow.invitations.add(new_invitation(organization.id, "a@example.fr"))
            second = await uow.invitations.add(new_invitation(organization.id, "b@example.fr"))
            cancelled = await uow.invitations.add(new_invitation(organization.id, "c@example.fr"))
            await uow.invitations.cancel(cancelled.id, LATER)

            async def listed(status: InvitationStatus, page: PageRequest = PageRequest()) -> list[int]:
                return [
                    i.id
                    for i in (
                        await uow.organization_queries.list_invitations(organization.id, status, T0, page)
                    ).items
                ]

            assert await listed(InvitationStatus.PENDING) == [second.id, first.id]
            assert await listed(InvitationStatus.PENDING, PageRequest(2, 1)) == [first.id]
            assert await listed(InvitationStatus.EXPIRED) == [old.id]
            assert await listed(InvitationStatus.CANCELLED) == [cancelled.id]
            assert await listed(InvitationStatus.ACCEPTED) == []

    async def test_the_last_e_mail_to_an_address_whatever_its_case_and_status(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        async with backend.uow() as uow:
            assert await uow.invitations.last_sent_to(organization.id, "ce@ac-paris.fr") is None
            first = await uow.invitations.add(new_invitation(organization.id, "CE@ac-paris.fr"))
            await uow.invitations.cancel(first.id, T0)
            await uow.invitations.add(new_invitation(organization.id, "ce@ac-paris.fr", now=LATER))
            await uow.invitations.add(new_invitation(other.id, "ce@ac-paris.fr", now=LATER + WEEK))
            assert await uow.invitations.last_sent_to(organization.id, "Ce@Ac-Paris.fr") == LATER

    async def test_the_e_mails_of_an_organization_are_counted_since_a_time(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        before = datetime.now(UTC)
        async with backend.uow() as uow:
            first = await invite(uow, organization.id, "a@example.fr")
            await invite(uow, organization.id, "b@example.fr")
            await uow.outbox.enqueue(QueuedEmail(INVITATION, "fr", "a@example.fr", {}, first.id))
            await invite(uow, other.id, "a@example.fr")
            sent = await uow.invitations.lock_sent_emails(organization.id, before - timedelta(seconds=1))
            assert sent.count == 3 and sent.oldest_at is not None
            assert before <= sent.oldest_at <= datetime.now(UTC)
            assert await uow.invitations.lock_sent_emails(
                organization.id, datetime.now(UTC) + timedelta(seconds=1)
            ) == SentEmails(0, None)
