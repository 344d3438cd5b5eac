"""The organizations' use cases on the fakes: team, invitations, activation, in milliseconds."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.accounts.entities import Viewer
from domain.errors import TooManyRequests
from domain.organizations.accept_invitation import AcceptInvitation
from domain.organizations.archive_organization import ArchiveOrganization
from domain.organizations.cancel_invitation import CancelInvitation
from domain.organizations.change_member_role import ChangeMemberRole
from domain.organizations.create_organization import CreateOrganization, CreateOrganizationCommand
from domain.organizations.entities import InvitationStatus, Organization, OrganizationType, Role
from domain.organizations.errors import (
    CannotChangeOwnRole,
    InvalidUai,
    InvitationAlreadyAccepted,
    InvitationCancelled,
    InvitationCodeReplaced,
    InvitationEmailsPerDayReached,
    InvitationExpired,
    InvitationNotCancellable,
    InvitationNotFound,
    InvitationNotPending,
    LastAdmin,
    MembershipNotFound,
    NoValidEmail,
    OrganizationArchived,
    OrganizationNotFound,
    OrganizationWithoutEmail,
    PixOrgaTermsNotAccepted,
    ResendTooSoon,
    RoleNotAllowed,
    TooManyEmails,
    UaiAlreadyUsed,
)
from domain.organizations.invitation_sending import InvitationPolicy
from domain.organizations.invite_members import InviteMembers, InviteMembersCommand, Rejection
from domain.organizations.read_invitation import ReadInvitation
from domain.organizations.remove_member import RemoveMember
from domain.organizations.request_sco_activation import (
    DAILY_LIMIT_REACHED,
    SENT_RECENTLY,
    RequestScoActivation,
    RequestScoActivationCommand,
)
from domain.organizations.resend_invitation import ResendInvitation
from domain.organizations.send_activation_invitation import (
    SendActivationInvitation,
    SendActivationInvitationCommand,
)
from domain.rate_limits import Limit
from tests.unit.fakes import FakeClock, FakeLimiter, FakeUnitOfWork
from tests.unit.fakes_campaigns import T0, JoiningStore

POLICY = InvitationPolicy(ttl=timedelta(days=7), emails_per_day=5, emails_per_request=3)
OFFICIAL = "ce.0751201a@ac-paris.fr"


@pytest.fixture
def store() -> JoiningStore:
    return JoiningStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def school(store: JoiningStore) -> Organization:
    organization = store.add_organization()
    store.organizations[organization.id] = dataclasses.replace(organization, email=OFFICIAL)
    return store.organizations[organization.id]


def uow(store: JoiningStore):
    return lambda: FakeUnitOfWork(store)


def member(store: JoiningStore, organization: Organization, email: str, role: Role = Role.MEMBER) -> Viewer:
    user = store.add_user(email=email)
    store.add_member(organization, user.id, role=role)
    return Viewer(user, "session")


def membership_id(store: JoiningStore, organization: Organization, viewer: Viewer) -> int:
    return next(
        m.id
        for m in store.memberships.values()
        if (m.organization_id, m.user_id) == (organization.id, viewer.user.id)
    )


def last_code(store: JoiningStore) -> tuple[int, str]:
    """The invitation id and code of the last e-mail queued (the code exists nowhere else)."""
    email, _ = store.outbox[-1]
    return email.params["invitation_id"], email.params["code"]


def events(store: JoiningStore) -> list[str]:
    return [event.type for event in store.events]


def inviter(store: JoiningStore, clock: FakeClock, policy: InvitationPolicy = POLICY) -> InviteMembers:
    return InviteMembers(uow(store), clock, policy)


async def invite(
    store: JoiningStore,
    clock: FakeClock,
    admin: Viewer,
    organization: Organization,
    emails: str,
    role: Role | None = None,
):
    return await inviter(store, clock)(admin, InviteMembersCommand(organization.id, emails, role))


class TestInviteMembers:
    async def test_access_is_checked_before_the_addresses(self, store, clock, school):
        outsider = Viewer(store.add_user(email="out@example.fr"), "s")
        colleague = member(store, school, "member@example.fr")
        newcomer = Viewer(store.add_user(email="new@example.fr", terms=False), "s")
        store.add_member(school, newcomer.user.id, role=Role.ADMIN)
        garbage = "x" * 10 + ", " * 50
        for viewer, refusal in [
            (outsider, OrganizationNotFound),
            (newcomer, PixOrgaTermsNotAccepted),
            (colleague, RoleNotAllowed),
        ]:
            with pytest.raises(refusal):
                await invite(store, clock, viewer, school, garbage)
        assert store.invitations == {} and store.outbox == []

    async def test_the_valid_addresses_are_invited_the_others_rejected(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        result = await invite(store, clock, admin, school, "Ada <ADA@example.fr>; nope, grace@example.fr")
        assert [i.invitation.email for i in result.invitations] == ["ada@example.fr", "grace@example.fr"]
        assert [i.invitation.role for i in result.invitations] == [Role.MEMBER, Role.MEMBER]
        assert result.rejected == [Rejection("nope", "INVALID_EMAIL")]
        assert [e.to for e, _ in store.outbox] == ["ada@example.fr", "grace@example.fr"]
        assert events(store) == ["INVITATION_CREATED", "INVITATION_CREATED"]
        assert store.commits == 1

    async def test_nothing_valid_or_too_many_addresses_writes_nothing(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        with pytest.raises(NoValidEmail):
            await invite(store, clock, admin, school, "nope, neither")
        with pytest.raises(TooManyEmails):
            await invite(store, clock, admin, school, "a@x.fr b@x.fr c@x.fr d@x.fr")
        assert store.invitations == {} and store.commits == 0

    async def test_an_archived_organization_invites_nobody(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        store.organizations[school.id] = dataclasses.replace(school, archived_at=T0)
        with pytest.raises(OrganizationArchived):
            await invite(store, clock, admin, school, "ada@example.fr")
        assert store.invitations == {}

    async def test_re_inviting_a_pending_address_rotates_its_invitation(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        await invite(store, clock, admin, school, "ada@example.fr", Role.ADMIN)
        first_id, first_code = last_code(store)
        clock.advance(hours=1)
        await invite(store, clock, admin, school, "ada@example.fr")
        second_id, second_code = last_code(store)
        (invitation,) = store.invitations.values()
        assert (second_id, invitation.role) == (first_id, Role.ADMIN)  # the role is kept when none is given
        assert invitation.expires_at == clock.now() + POLICY.ttl
        read = ReadInvitation(uow(store), clock)
        with pytest.raises(InvitationCodeReplaced):
            await read(first_id, first_code)
        assert (await read(second_id, second_code)).role is Role.ADMIN
        await invite(store, clock, admin, school, "ada@example.fr", Role.MEMBER)
        assert store.invitations[first_id].role is Role.MEMBER
        assert events(store) == ["INVITATION_CREATED", "INVITATION_RESENT", "INVITATION_RESENT"]

    async def test_past_the_daily_cap_the_addresses_are_rejected_not_sent(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        await invite(store, clock, admin, school, "a@x.fr b@x.fr c@x.fr")
        result = await invite(store, clock, admin, school, "d@x.fr e@x.fr f@x.fr")
        assert [i.invitation.email for i in result.invitations] == ["d@x.fr", "e@x.fr"]
        assert result.rejected == [Rejection("f@x.fr", "RATE_LIMITED")]
        clock.advance(minutes=1)
        with pytest.raises(InvitationEmailsPerDayReached):
            await ResendInvitation(uow(store), clock, POLICY)(
                admin, school.id, result.invitations[0].invitation.id
            )
        assert len(store.outbox) == POLICY.emails_per_day


class TestResendAndCancel:
    async def test_a_resend_waits_a_minute_and_rotates_the_code(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        await invite(store, clock, admin, school, "ada@example.fr")
        invitation_id, old_code = last_code(store)
        resend = ResendInvitation(uow(store), clock, POLICY)
        with pytest.raises(ResendTooSoon):
            await resend(admin, school.id, invitation_id)
        clock.advance(minutes=1)
        resent = (await resend(admin, school.id, invitation_id)).invitation
        assert (resent.id, resent.last_sent_at) == (invitation_id, clock.now())
        with pytest.raises(InvitationCodeReplaced):
            await ReadInvitation(uow(store), clock)(invitation_id, old_code)
        assert len(store.outbox) == 2

    async def test_only_a_pending_invitation_of_the_organization_is_resent(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        other = store.add_organization()
        await invite(store, clock, admin, school, "ada@example.fr")
        invitation_id, _ = last_code(store)
        clock.advance(minutes=5)
        resend = ResendInvitation(uow(store), clock, POLICY)
        other_admin = member(store, other, "other@example.fr", Role.ADMIN)
        with pytest.raises(InvitationNotFound):
            await resend(other_admin, other.id, invitation_id)
        await CancelInvitation(uow(store), clock)(admin, school.id, invitation_id)
        with pytest.raises(InvitationNotPending):
            await resend(admin, school.id, invitation_id)
        assert len(store.outbox) == 1

    async def test_a_cancelled_link_says_so_and_is_not_cancelled_twice(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        await invite(store, clock, admin, school, "ada@example.fr")
        invitation_id, code = last_code(store)
        cancel = CancelInvitation(uow(store), clock)
        await cancel(admin, school.id, invitation_id)
        with pytest.raises(InvitationNotCancellable):
            await cancel(admin, school.id, invitation_id)
        ada = Viewer(store.add_user(email="ada@example.fr"), "s")
        with pytest.raises(InvitationCancelled):
            await AcceptInvitation(uow(store), clock)(ada, invitation_id, code)
        assert (
            await ReadInvitation(uow(store), clock)(invitation_id, code)
        ).status is InvitationStatus.CANCELLED
        assert events(store) == ["INVITATION_CREATED", "INVITATION_CANCELLED"]


class TestAcceptInvitation:
    async def invited(self, store, clock, school, role: Role | None = Role.MEMBER) -> tuple[int, str]:
        store.add_member(school, store.add_user(email="admin@example.fr").id, role=Role.ADMIN)
        admin = Viewer(store.users[len(store.users)], "s")
        await invite(store, clock, admin, school, "ada@example.fr", role)
        if role is None:  # "auto": the invitation as support sends it
            store.invitations[1] = dataclasses.replace(store.invitations[1], role=None)
        return last_code(store)

    async def test_single_use_the_same_user_may_come_back(self, store, clock, school):
        invitation_id, code = await self.invited(store, clock, school)
        ada = Viewer(store.add_user(email="ada@example.fr"), "s")
        grace = Viewer(store.add_user(email="grace@example.fr"), "s")
        accept = AcceptInvitation(uow(store), clock)
        first = await accept(ada, invitation_id, code)
        again = await accept(ada, invitation_id, code)
        assert (first.created, again.created) == (True, False)
        assert first.membership == again.membership and first.membership.role is Role.MEMBER
        with pytest.raises(InvitationAlreadyAccepted):
            await accept(grace, invitation_id, code)
        assert events(store)[-2:] == ["INVITATION_ACCEPTED", "MEMBERSHIP_CREATED"]

    async def test_a_wrong_code_or_an_expired_invitation(self, store, clock, school):
        invitation_id, code = await self.invited(store, clock, school)
        ada = Viewer(store.add_user(email="ada@example.fr"), "s")
        accept = AcceptInvitation(uow(store), clock)
        with pytest.raises(InvitationNotFound):
            await accept(ada, invitation_id, "not-the-code")
        with pytest.raises(InvitationNotFound):
            await accept(ada, 999, code)
        clock.advance(days=7)
        with pytest.raises(InvitationExpired):
            await accept(ada, invitation_id, code)
        assert store.invitations[invitation_id].status is InvitationStatus.PENDING

    async def test_an_active_member_keeps_the_invitation_unless_it_promotes_them(self, store, clock, school):
        invitation_id, code = await self.invited(store, clock, school, Role.MEMBER)
        colleague = member(store, school, "colleague@example.fr")
        accept = AcceptInvitation(uow(store), clock)
        result = await accept(colleague, invitation_id, code)
        assert (result.created, result.membership.role) == (False, Role.MEMBER)
        assert store.invitations[invitation_id].status is InvitationStatus.PENDING
        store.invitations[invitation_id] = dataclasses.replace(
            store.invitations[invitation_id], role=Role.ADMIN
        )
        promoted = await accept(colleague, invitation_id, code)
        assert (promoted.created, promoted.membership.role) == (False, Role.ADMIN)
        assert store.invitations[invitation_id].status is InvitationStatus.ACCEPTED
        assert events(store)[-1] == "MEMBERSHIP_ROLE_CHANGED"

    async def test_a_former_member_is_re_enabled_with_the_invitation_role(self, store, clock, school):
        invitation_id, code = await self.invited(store, clock, school, Role.ADMIN)
        ada = Viewer(store.add_user(email="ada@example.fr"), "s")
        store.add_member(school, ada.user.id, active=False)
        result = await AcceptInvitation(uow(store), clock)(ada, invitation_id, code)
        assert (result.created, result.membership.role, result.membership.is_active) == (
            True,
            Role.ADMIN,
            True,
        )
        assert events(store)[-1] == "MEMBERSHIP_REENABLED"

    @pytest.mark.parametrize(("members", "role"), [(0, Role.ADMIN), (1, Role.MEMBER)])
    async def test_the_auto_role_makes_the_first_member_an_administrator(
        self, store, clock, school, members, role
    ):
        invitation_id, code = await self.invited(store, clock, school, None)
        for m in list(store.memberships.values())[members:]:
            store.memberships[m.id] = dataclasses.replace(m, disabled_at=T0)
        ada = Viewer(store.add_user(email="ada@example.fr"), "s")
        result = await AcceptInvitation(uow(store), clock)(ada, invitation_id, code)
        assert result.membership.role is role


class TestTeam:
    async def test_nobody_changes_their_own_role_members_change_none(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        colleague = member(store, school, "colleague@example.fr")
        change = ChangeMemberRole(uow(store), clock)
        with pytest.raises(CannotChangeOwnRole):
            await change(admin, school.id, membership_id(store, school, admin), Role.MEMBER)
        with pytest.raises(RoleNotAllowed):
            await change(colleague, school.id, membership_id(store, school, admin), Role.MEMBER)
        with pytest.raises(MembershipNotFound):
            await change(admin, school.id, 999, Role.ADMIN)
        view = await change(admin, school.id, membership_id(store, school, colleague), Role.ADMIN)
        assert view.role is Role.ADMIN
        await change(admin, school.id, membership_id(store, school, colleague), Role.ADMIN)
        assert events(store) == ["MEMBERSHIP_ROLE_CHANGED"]

    async def test_the_last_administrator_cannot_leave_another_one_can(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        remove = RemoveMember(uow(store), clock)
        with pytest.raises(LastAdmin):
            await remove(admin, school.id, membership_id(store, school, admin))
        second = member(store, school, "second@example.fr", Role.ADMIN)
        await remove(admin, school.id, membership_id(store, school, admin))
        assert events(store) == ["MEMBERSHIP_LEFT"]
        with pytest.raises(LastAdmin):
            await remove(second, school.id, membership_id(store, school, second))

    async def test_a_member_leaves_but_removes_nobody_and_a_removal_applies_at_once(
        self, store, clock, school
    ):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        ada = member(store, school, "ada@example.fr")
        grace = member(store, school, "grace@example.fr")
        remove = RemoveMember(uow(store), clock)
        with pytest.raises(RoleNotAllowed):
            await remove(ada, school.id, membership_id(store, school, grace))
        await remove(ada, school.id, membership_id(store, school, ada))
        await remove(admin, school.id, membership_id(store, school, grace))
        assert events(store) == ["MEMBERSHIP_LEFT", "MEMBERSHIP_REMOVED"]
        with pytest.raises(OrganizationNotFound):
            await remove(grace, school.id, membership_id(store, school, grace))


class TestSupport:
    async def test_create_support_or_the_command_line_only_uai_required_and_unique(self, store, clock):
        support = Viewer(store.add_user(email="support@example.fr", support=True), "s")
        teacher = Viewer(store.add_user(email="teacher@example.fr"), "s")
        create = CreateOrganization(uow(store), clock)
        command = CreateOrganizationCommand(" Lycée Pix ", OrganizationType.SCO, " 0751234a ", None, True)
        with pytest.raises(RoleNotAllowed):
            await create(teacher, command)
        with pytest.raises(InvalidUai):
            await create(support, dataclasses.replace(command, uai=None))
        created = await create(support, command)
        assert (created.name, created.uai) == ("Lycée Pix", "0751234A")
        with pytest.raises(UaiAlreadyUsed):
            await create(None, command)
        assert await create(None, dataclasses.replace(command, type=OrganizationType.SUP, uai=None))
        assert [(e.type, e.actor.label) for e in store.events] == [
            ("ORGANIZATION_CREATED", "support"),
            ("ORGANIZATION_CREATED", "cli"),
        ]

    async def test_archiving_cancels_the_pending_invitations_once(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        await invite(store, clock, admin, school, "a@x.fr b@x.fr")
        archive = ArchiveOrganization(uow(store), clock)
        with pytest.raises(RoleNotAllowed):
            await archive(admin, school.id)
        archived = await archive(None, school.id)
        assert archived.archived_at == clock.now()
        assert {i.status for i in store.invitations.values()} == {InvitationStatus.CANCELLED}
        clock.advance(days=1)
        assert (await archive(None, school.id)).archived_at == T0
        assert store.events[-1].details == {"cancelled_invitations": 2}
        assert events(store).count("ORGANIZATION_ARCHIVED") == 1

    async def test_an_activation_goes_to_the_official_address_as_administrator(self, store, clock, school):
        send = SendActivationInvitation(uow(store), clock, POLICY)
        invitation = (await send(None, SendActivationInvitationCommand(school.id))).invitation
        assert (invitation.email, invitation.role, invitation.is_activation) == (OFFICIAL, Role.ADMIN, True)
        again = (await send(None, SendActivationInvitationCommand(school.id))).invitation
        assert again.id == invitation.id and len(store.invitations) == 1
        store.organizations[school.id] = dataclasses.replace(school, email=None)
        with pytest.raises(OrganizationWithoutEmail):
            await send(None, SendActivationInvitationCommand(school.id))
        for _ in range(POLICY.emails_per_day - 2):
            await send(None, SendActivationInvitationCommand(school.id, "other@example.fr"))
        with pytest.raises(InvitationEmailsPerDayReached):
            await send(None, SendActivationInvitationCommand(school.id, "other@example.fr"))


class TestRequestScoActivation:
    def requester(self, store, clock, limiter=None) -> RequestScoActivation:
        return RequestScoActivation(uow(store), clock, POLICY, limiter or FakeLimiter())

    def command(self, uai: str = " 0751201a ") -> RequestScoActivationCommand:
        return RequestScoActivationCommand(uai, "192.0.2.10")

    async def test_the_official_mailbox_gets_one_e_mail_a_day(self, store, clock, school):
        request = self.requester(store, clock)
        await request(self.command())
        assert [(e.to, e.params["role"]) for e, _ in store.outbox] == [(OFFICIAL, "ADMIN")]
        clock.advance(hours=23, minutes=59)
        await request(self.command())
        assert len(store.outbox) == 1
        assert store.events[-1].type == "SCO_ACTIVATION_REQUEST_IGNORED"
        assert store.events[-1].details == {"reason": SENT_RECENTLY}
        clock.advance(minutes=2)
        await request(self.command())
        assert len(store.outbox) == 2 and len(store.invitations) == 1

    async def test_an_organization_out_of_e_mails_sends_nothing(self, store, clock, school):
        admin = member(store, school, "admin@example.fr", Role.ADMIN)
        await invite(store, clock, admin, school, "a@x.fr b@x.fr c@x.fr")
        await invite(store, clock, admin, school, "d@x.fr e@x.fr")
        await self.requester(store, clock)(self.command())
        assert len(store.outbox) == POLICY.emails_per_day
        assert store.events[-1].details == {"reason": DAILY_LIMIT_REACHED}

    async def test_unknown_archived_or_without_address(self, store, clock, school):
        request = self.requester(store, clock)
        with pytest.raises(OrganizationNotFound):
            await request(self.command("0759999Z"))
        store.organizations[school.id] = dataclasses.replace(school, email=None)
        with pytest.raises(OrganizationWithoutEmail):
            await request(self.command())
        store.organizations[school.id] = dataclasses.replace(school, archived_at=T0)
        with pytest.raises(OrganizationArchived):
            await request(self.command())
        assert store.outbox == [] and store.events == []

    async def test_requests_are_limited_per_client_address(self, store, clock, school):
        limiter = FakeLimiter({Limit.SCO_ACTIVATION_REQUESTS_PER_ADDRESS: 2})
        request = self.requester(store, clock, limiter)
        await request(self.command())
        await request(self.command())
        with pytest.raises(TooManyRequests):
            await request(self.command())
        assert len(store.outbox) == 1
