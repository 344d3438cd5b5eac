"""The joining use cases with in-memory fakes: matching, account creation, attachment, participation,
the brute-force guard, the reason codes and what each decision records."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from domain.accounts.entities import User, Viewer
from domain.accounts.errors import EmailAlreadyUsed, InvalidEmail, InvalidPassword, TermsNotAccepted
from domain.campaigns.archive_campaign import ArchiveCampaign
from domain.campaigns.create_campaign import CreateCampaign, CreateCampaignCommand
from domain.campaigns.entities import CampaignType
from domain.campaigns.errors import (
    CampaignArchived,
    CampaignNotFound,
    CampaignNotRestricted,
    NotAStudentOfOrganization,
    OrganizationMemberCannotParticipate,
)
from domain.errors import Invalid, TooManyRequests
from domain.joining.create_student_account import CreateStudentAccount, CreateStudentAccountCommand
from domain.joining.detach_student_account import DetachStudentAccount
from domain.joining.errors import (
    AccountBelongsToAnotherStudent,
    OrganizationMemberCannotLink,
    StudentAlreadyLinked,
    StudentNotFound,
    UserAlreadyLinkedInOrganization,
)
from domain.joining.link_student_account import LinkStudentAccount, LinkStudentAccountCommand
from domain.joining.match_student_identity import MatchStudentCommand, MatchStudentIdentity
from domain.joining.reset_student_passwords import NotResetReason, ResetStudentPasswords
from domain.joining.start_participation import StartParticipation
from domain.joining.steps import MatchGuard, TypedStudent
from domain.organizations.entities import Role
from domain.organizations.errors import OrganizationArchived, RoleNotAllowed
from domain.rate_limits import Limit
from tests.unit.fakes import FakeClock, FakeHasher, FakeLimiter, FakeTokens, FakeUnitOfWork, InlineCpuWork
from tests.unit.fakes_campaigns import T0, CountingHasher, JoiningStore

CODE = "ABCDEF234"
ADDRESS = "192.0.2.10"
PASSWORD = "Eleve2024x"
ALAN = TypedStudent("Alan", "Turing", date(2002, 6, 23))


@pytest.fixture
def store():
    return JoiningStore()


@pytest.fixture
def school(store):
    organization = store.add_organization()
    store.add_campaign(organization, CODE)
    alan = store.add_student(organization, national_student_id="123456789AD")
    return organization, alan


@pytest.fixture
def clock():
    return FakeClock(T0)


def uow(store):
    return lambda: FakeUnitOfWork(store)


def viewer(user: User) -> Viewer:
    return Viewer(user, "session")


def matcher(store, clock, limiter=None):
    return MatchStudentIdentity(uow(store), MatchGuard(limiter or FakeLimiter(), InlineCpuWork()), clock)


def creator(store, clock, limiter=None, hasher=None):
    return CreateStudentAccount(
        uow(store),
        hasher or FakeHasher(),
        FakeTokens(),
        MatchGuard(limiter or FakeLimiter(), InlineCpuWork()),
        clock,
        timedelta(days=30),
    )


def linker(store, clock, limiter=None):
    return LinkStudentAccount(uow(store), MatchGuard(limiter or FakeLimiter(), InlineCpuWork()), clock)


def match_command(typed=ALAN, code=CODE):
    return MatchStudentCommand(campaign_code=code, student=typed, client_address=ADDRESS)


def account_command(typed=ALAN, *, email=None, password=PASSWORD, accept_terms=True, code=CODE):
    return CreateStudentAccountCommand(
        campaign_code=code,
        student=typed,
        login="email" if email else "username",
        email=email,
        password=password,
        accept_terms=accept_terms,
        client_address=ADDRESS,
    )


def link_command(typed=ALAN):
    return LinkStudentAccountCommand(campaign_code=CODE, student=typed, client_address=ADDRESS)


class TestMatching:
    async def test_a_match_suggests_the_username_of_the_imported_record(self, store, school, clock):
        found = await matcher(store, clock)(match_command(TypedStudent("ALAN", "turing", date(2002, 6, 23))))

        assert found.username_suggestion == "alan.turing2306"
        (decision,) = store.decisions
        assert (decision.endpoint, decision.outcome, decision.rule) == (
            "student-matches",
            "MATCHED",
            "exact:first_name",
        )
        assert decision.student_id == school[1].id
        assert (decision.first_name_distance, decision.last_name_distance, decision.reason_code) == (
            0.0,
            0.0,
            None,
        )
        assert school[1].user_id is None and store.users == {}  # changes nothing else

    async def test_the_code_is_read_trimmed_and_case_insensitively(self, store, school, clock):
        found = await matcher(store, clock)(match_command(code="  abcdef234 "))
        assert found.username_suggestion == "alan.turing2306"

    @pytest.mark.parametrize(
        "typed",
        [
            TypedStudent("Alan", "Turing", date(2002, 6, 24)),
            TypedStudent("Alann", "Turin", date(2003, 6, 23)),
        ],
        ids=["another day", "respelled, another year"],
    )
    async def test_a_not_found_aimed_at_a_student_is_counted_against_that_student(
        self, store, school, clock, typed
    ):
        limiter = FakeLimiter()

        with pytest.raises(StudentNotFound):
            await matcher(store, clock, limiter)(match_command(typed))

        assert [d.outcome for d in store.decisions] == ["NOT_FOUND"]
        assert set(limiter.failures) == {
            (Limit.MATCH_PER_ADDRESS, (ADDRESS,)),
            (Limit.MATCH_PER_NAME, ("student", str(school[1].id))),
        }

    async def test_a_not_found_aimed_at_nobody_is_counted_per_typed_name(self, store, school, clock):
        limiter = FakeLimiter()

        with pytest.raises(StudentNotFound):
            await matcher(store, clock, limiter)(
                match_command(TypedStudent("Alan", "Tarong", date(2002, 6, 23)))
            )

        assert [d.outcome for d in store.decisions] == ["NOT_FOUND"]
        counted = dict(limiter.failures.keys())  # (limit, key) pairs
        assert counted[Limit.MATCH_PER_ADDRESS] == (ADDRESS,)
        kind, code, name_key = counted[Limit.MATCH_PER_NAME]
        assert (kind, code) == ("name", CODE)
        assert "alan" not in name_key and "tarong" not in name_key  # a hash, never the name

    async def test_day_and_month_swapped_finds_nobody(self, store, clock):
        organization = store.add_organization()
        store.add_campaign(organization, CODE)
        store.add_student(organization, first_name="Léa", last_name="ROUX", birthdate=date(2008, 3, 4))

        with pytest.raises(StudentNotFound):
            await matcher(store, clock)(match_command(TypedStudent("Léa", "Roux", date(2008, 4, 3))))
        assert store.decisions[0].rule == "no_candidate"

    async def test_a_disabled_student_is_not_found(self, store, school, clock):
        store.students[school[1].id] = dataclasses.replace(school[1], disabled_at=T0)
        with pytest.raises(StudentNotFound):
            await matcher(store, clock)(match_command())

    async def test_two_students_matching_is_not_found_and_recorded_ambiguous(self, store, school, clock):
        store.add_student(school[0], first_name="Alan", last_name="TURING", national_student_id="X")
        with pytest.raises(StudentNotFound):
            await matcher(store, clock)(match_command())
        assert (store.decisions[0].outcome, store.decisions[0].student_id) == ("AMBIGUOUS", None)

    async def test_the_name_key_is_the_normalised_name(self, store, school, clock):
        limiter = FakeLimiter()
        for typed in (
            TypedStudent("ALAN", " Tarong ", date(2001, 1, 1)),
            TypedStudent("Alan", "TARONG", date(2001, 1, 2)),
        ):
            with pytest.raises(StudentNotFound):
                await matcher(store, clock, limiter)(match_command(typed))
        assert limiter.failures[(Limit.MATCH_PER_ADDRESS, (ADDRESS,))] == 2
        assert sorted(limiter.failures.values()) == [2, 2]

    async def test_respelling_the_name_does_not_buy_more_guesses(self, store, school, clock):
        limiter = FakeLimiter({Limit.MATCH_PER_NAME: 3})
        for day, (first, last) in enumerate(
            [("Alan", "Turing"), ("Alann", "Turing"), ("Alan", "Turingg")], 1
        ):
            with pytest.raises(StudentNotFound):
                await matcher(store, clock, limiter)(
                    match_command(TypedStudent(first, last, date(2002, 1, day)))
                )
        # The right birthdate, spelled a fourth way: still a guess at Alan.
        with pytest.raises(TooManyRequests):
            await matcher(store, clock, limiter)(
                match_command(TypedStudent("Alan", "Turin", date(2002, 6, 23)))
            )
        with pytest.raises(TooManyRequests):
            await creator(store, clock, limiter)(
                account_command(TypedStudent("Allan", "Turing", date(2002, 6, 23)))
            )
        viewer_ = viewer(store.add_user(email="ada@example.net"))
        with pytest.raises(TooManyRequests):
            await linker(store, clock, limiter)(
                viewer_, link_command(TypedStudent("Alan", "Turing", date(2002, 6, 23)))
            )
        assert store.students[school[1].id].user_id is None

    async def test_a_student_added_after_the_roster_was_kept_is_aimed_at(self, store, school, clock):
        limiter = FakeLimiter({Limit.MATCH_PER_NAME: 1})
        # one guard, one kept roster
        match = MatchStudentIdentity(uow(store), MatchGuard(limiter, InlineCpuWork()), clock)
        await match(match_command())
        ada = store.add_student(
            school[0], first_name="Ada", last_name="LOVELACE", birthdate=date(2003, 12, 10)
        )
        with pytest.raises(StudentNotFound):
            await match(match_command(TypedStudent("Ada", "Lovelace", date(2003, 1, 1))))
        assert limiter.failures[(Limit.MATCH_PER_NAME, ("student", str(ada.id)))] == 1
        with pytest.raises(TooManyRequests):
            await match(match_command(TypedStudent("Adda", "Lovelace", date(2003, 12, 10))))

    async def test_a_twin_with_a_close_name_is_not_blocked(self, store, clock):
        organization = store.add_organization()
        store.add_campaign(organization, CODE)
        store.add_student(organization, first_name="Léa", last_name="ROUX", birthdate=date(2008, 3, 4))
        store.add_student(organization, first_name="Léo", last_name="ROUX", birthdate=date(2008, 3, 4))
        limiter = FakeLimiter({Limit.MATCH_PER_NAME: 2})
        for day in (1, 2):
            with pytest.raises(StudentNotFound):
                await matcher(store, clock, limiter)(
                    match_command(TypedStudent("Léa", "Roux", date(2008, 1, day)))
                )
        with pytest.raises(TooManyRequests):
            await matcher(store, clock, limiter)(match_command(TypedStudent("Lea", "Roux", date(2008, 3, 4))))
        leo = await matcher(store, clock, limiter)(
            match_command(TypedStudent("Léo", "Roux", date(2008, 3, 4)))
        )
        assert leo.username_suggestion == "leo.roux0403"

    async def test_over_a_limit_every_answer_is_429_and_nothing_is_recorded(self, store, school, clock):
        limiter = FakeLimiter({Limit.MATCH_PER_NAME: 2})
        for day in (1, 2):
            with pytest.raises(StudentNotFound):
                await matcher(store, clock, limiter)(
                    match_command(TypedStudent("Alan", "Turing", date(2002, 1, day)))
                )
        with pytest.raises(TooManyRequests):
            await matcher(store, clock, limiter)(match_command())
        with pytest.raises(TooManyRequests):
            await creator(store, clock, limiter)(account_command())
        assert len(store.decisions) == 2
        # Another name is not blocked.
        store.add_student(school[0], first_name="Ada", last_name="LOVELACE", birthdate=date(2003, 12, 10))
        ada = await matcher(store, clock, limiter)(
            match_command(TypedStudent("Ada", "Lovelace", date(2003, 12, 10)))
        )
        assert ada.username_suggestion == "ada.lovelace1012"

    async def test_a_match_or_a_conflict_is_not_counted(self, store, school, clock):
        limiter = FakeLimiter()
        await matcher(store, clock, limiter)(match_command())
        await creator(store, clock, limiter)(account_command())
        with pytest.raises(StudentAlreadyLinked):
            await matcher(store, clock, limiter)(match_command())
        assert limiter.failures == {}

    async def test_campaign_errors_come_before_matching(self, store, clock):
        restricted = store.add_organization()
        store.add_campaign(restricted, "ARCHVE234", archived=True)
        store.add_campaign(store.add_organization(managing=False), "PENCAS234")
        with pytest.raises(CampaignNotFound):
            await matcher(store, clock)(match_command(code="NOPE"))
        with pytest.raises(CampaignNotFound):
            await matcher(store, clock)(match_command(code="ZZZZZZ999"))
        with pytest.raises(CampaignArchived):
            await matcher(store, clock)(match_command(code="ARCHVE234"))
        with pytest.raises(CampaignNotRestricted):
            await matcher(store, clock)(match_command(code="PENCAS234"))
        assert store.decisions == []

    async def test_an_empty_typed_name_is_invalid(self, store, school, clock):
        with pytest.raises(Invalid):
            await matcher(store, clock)(match_command(TypedStudent("--", "Turing", date(2002, 6, 23))))

    async def test_attached_elsewhere_with_the_same_ine(self, store, school, clock):
        other = store.add_organization()
        former = store.add_user(username="alan.turing2306")
        store.add_student(other, national_student_id="123456789AD", user_id=former.id, disabled_at=T0)

        with pytest.raises(StudentAlreadyLinked) as refused:
            await matcher(store, clock)(match_command())
        assert refused.value.meta == {"reason_code": "R12", "login_hint": "a***.t***6"}
        assert (store.decisions[0].outcome, store.decisions[0].reason_code) == ("CONFLICT", "R12")


class TestAccountCreation:
    async def test_a_username_account_attached_in_one_go(self, store, school, clock):
        created = await creator(store, clock)(account_command())

        assert created.user.username == "alan.turing2306"
        assert created.user.email is None
        assert (created.user.first_name, created.user.last_name) == ("Alan", "TURING")  # as imported
        assert created.user.terms_accepted_at == T0
        assert store.students[school[1].id].user_id == created.user.id
        assert created.tokens.access_token.startswith(f"access:{created.user.id}:")
        assert [e.type for e in store.events] == ["STUDENT_ACCOUNT_CREATED", "STUDENT_ATTACHED"]
        assert store.events[1].details == {"user_id": created.user.id, "via": "account_creation"}
        assert [(d.endpoint, d.outcome) for d in store.decisions] == [("student-accounts", "MATCHED")]

    async def test_an_email_account(self, store, school, clock):
        created = await creator(store, clock)(account_command(email=" Alan@Example.NET "))
        assert (created.user.email, created.user.username) == ("alan@example.net", None)

    async def test_a_second_creation_is_refused_with_the_hint(self, store, school, clock):
        await creator(store, clock)(account_command())
        with pytest.raises(StudentAlreadyLinked) as refused:
            await creator(store, clock)(account_command())
        assert refused.value.meta == {"reason_code": "S52", "login_hint": "a***.t***6"}
        assert len(store.users) == 1

    async def test_a_second_creation_of_an_email_account_says_s51(self, store, school, clock):
        await creator(store, clock)(account_command(email="alan@example.net"))
        with pytest.raises(StudentAlreadyLinked) as refused:
            await creator(store, clock)(account_command(email="autre@example.net"))
        assert refused.value.meta == {"reason_code": "S51", "login_hint": "a***@example.net"}

    async def test_same_ine_elsewhere_says_s61(self, store, school, clock):
        former = store.add_user(email="alan@example.net")
        store.add_student(store.add_organization(), national_student_id="123456789AD", user_id=former.id)
        with pytest.raises(StudentAlreadyLinked) as refused:
            await creator(store, clock)(account_command())
        assert refused.value.meta == {"reason_code": "S61", "login_hint": "a***@example.net"}

    async def test_a_taken_username_gets_the_suggested_digits(self, store, school, clock):
        store.add_user(username="alan.turing2306")
        suggestion = (await matcher(store, clock)(match_command())).username_suggestion
        created = await creator(store, clock)(account_command())
        assert created.user.username == suggestion
        assert suggestion.startswith("alan.turing") and suggestion != "alan.turing2306"

    @pytest.mark.parametrize(
        ("command", "error"),
        [
            (account_command(password="court"), InvalidPassword),
            (account_command(accept_terms=False), TermsNotAccepted),
            (account_command(email="pas-une-adresse"), InvalidEmail),
        ],
        ids=["password", "terms", "email"],
    )
    async def test_input_errors_change_nothing(self, store, school, clock, command, error):
        with pytest.raises(error):
            await creator(store, clock)(command)
        assert store.users == {} and store.decisions == []

    async def test_an_email_already_used_keeps_the_decision(self, store, school, clock):
        store.add_user(email="pris@example.fr")
        with pytest.raises(EmailAlreadyUsed):
            await creator(store, clock)(account_command(email="pris@example.fr"))
        assert store.students[school[1].id].user_id is None
        assert [d.outcome for d in store.decisions] == ["MATCHED"]
        assert store.commits == 1

    async def test_a_refusal_costs_no_hashing_and_a_creation_one(self, store, school, clock):
        hasher = CountingHasher()
        store.add_user(email="pris@example.fr")
        grace = TypedStudent("Grace", "Hopper", date(2002, 6, 23))
        with pytest.raises(StudentNotFound):
            await creator(store, clock, hasher=hasher)(account_command(grace))
        with pytest.raises(EmailAlreadyUsed):
            await creator(store, clock, hasher=hasher)(account_command(email="pris@example.fr"))
        assert hasher.hashes == 0
        await creator(store, clock, hasher=hasher)(account_command())
        assert hasher.hashes == 1
        with pytest.raises(StudentAlreadyLinked):
            await creator(store, clock, hasher=hasher)(account_command())
        assert hasher.hashes == 1

    async def test_a_student_disabled_while_the_password_is_hashed_is_not_found(self, store, school, clock):
        class DisablingHasher(FakeHasher):
            async def hash(self, password: str) -> str:
                store.students[school[1].id] = dataclasses.replace(school[1], disabled_at=T0)
                return await super().hash(password)

        limiter = FakeLimiter()
        with pytest.raises(StudentNotFound):
            await creator(store, clock, limiter, DisablingHasher())(account_command())
        assert store.users == {}
        assert [(d.outcome, d.rule) for d in store.decisions] == [("NOT_FOUND", "student_disabled")]
        assert limiter.failures[(Limit.MATCH_PER_NAME, ("student", str(school[1].id)))] == 1

    async def test_the_identification_runs_in_its_own_units_of_work_and_the_writes_in_the_others(
        self, store, school, clock
    ):
        opened: list[str] = []

        def counted(kind):
            def open_one():
                opened.append(kind)
                return FakeUnitOfWork(store)

            return open_one

        guard = MatchGuard(FakeLimiter(), InlineCpuWork())
        create = CreateStudentAccount(
            counted("write"),
            FakeHasher(),
            FakeTokens(),
            guard,
            clock,
            timedelta(days=30),
            counted("identify"),
        )
        await create(account_command())
        with pytest.raises(StudentNotFound):
            await create(account_command(TypedStudent("Grace", "Hopper", date(2002, 6, 23))))

        assert opened == ["identify", "write", "identify"]
        assert [d.outcome for d in store.decisions] == ["MATCHED", "NOT_FOUND"]

    async def test_not_found_creates_nothing(self, store, school, clock):
        with pytest.raises(StudentNotFound):
            await creator(store, clock)(account_command(TypedStudent("Grace", "Hopper", date(2002, 6, 23))))
        assert store.users == {}


class TestLinking:
    async def test_attach_then_again(self, store, school, clock):
        user = store.add_user(email="alan@example.net")
        first = await linker(store, clock)(viewer(user), link_command())
        again = await linker(store, clock)(viewer(user), link_command())
        assert (first.created, again.created) == (True, False)
        assert store.students[school[1].id].user_id == user.id
        assert [e.details["via"] for e in store.events] == ["manual"]

    async def test_a_member_cannot_link_a_former_member_can(self, store, school, clock):
        user = store.add_user()
        store.add_member(school[0], user.id)
        with pytest.raises(OrganizationMemberCannotLink):
            await linker(store, clock)(viewer(user), link_command())
        store.add_member(school[0], user.id, active=False)
        assert (await linker(store, clock)(viewer(user), link_command())).created

    async def test_another_account_holds_the_student(self, store, school, clock):
        holder = store.add_user(username="alan.turing2306")
        store.students[school[1].id] = dataclasses.replace(school[1], user_id=holder.id)
        with pytest.raises(StudentAlreadyLinked) as refused:
            await linker(store, clock)(viewer(store.add_user()), link_command())
        assert refused.value.meta == {"reason_code": "R32", "login_hint": "a***.t***6"}
        assert store.decisions[-1].reason_code == "R32"

    async def test_r70_the_account_has_another_student_here(self, store, school, clock):
        user = store.add_user()
        store.add_student(
            school[0], first_name="Ada", last_name="LOVELACE", user_id=user.id, birthdate=date(2002, 6, 23)
        )
        with pytest.raises(UserAlreadyLinkedInOrganization) as refused:
            await linker(store, clock)(viewer(user), link_command())
        assert refused.value.meta == {"reason_code": "R70"}
        assert store.decisions[-1].reason_code == "R70"

    async def test_r90_the_account_is_somebody_else_s(self, store, school, clock):
        user = store.add_user()
        store.add_student(
            store.add_organization(), user_id=user.id, national_student_id="X", birthdate=date(2001, 1, 1)
        )
        with pytest.raises(AccountBelongsToAnotherStudent) as refused:
            await linker(store, clock)(viewer(user), link_command())
        assert refused.value.meta == {"reason_code": "R90"}

    async def test_same_ine_elsewhere_with_the_same_account_attaches(self, store, school, clock):
        user = store.add_user(username="alan.turing2306")
        store.add_student(
            store.add_organization(), user_id=user.id, national_student_id="123456789AD", disabled_at=T0
        )
        assert (await linker(store, clock)(viewer(user), link_command())).created

    async def test_automatic_attach_by_ine_and_birthdate(self, store, school, clock):
        user = store.add_user()
        store.add_student(store.add_organization(), user_id=user.id, national_student_id="123456789AD")
        limiter = FakeLimiter()

        attached = await linker(store, clock, limiter)(viewer(user), link_command(None))

        assert attached.student.id == school[1].id and attached.created
        assert store.decisions[-1].rule == "automatic:national_student_id"
        assert store.events[-1].details["via"] == "automatic"
        assert limiter.failures == {}

    async def test_automatic_attach_without_a_student_is_not_found_and_not_counted(
        self, store, school, clock
    ):
        user = store.add_user()
        store.add_student(
            store.add_organization(),
            user_id=user.id,
            national_student_id="123456789AD",
            birthdate=date(2002, 6, 24),
        )
        limiter = FakeLimiter()
        with pytest.raises(StudentNotFound):
            await linker(store, clock, limiter)(viewer(user), link_command(None))
        assert limiter.failures == {}
        assert (store.decisions[-1].outcome, store.decisions[-1].rule) == (
            "NOT_FOUND",
            "automatic:national_student_id",
        )


class TestParticipations:
    async def test_restricted_campaigns_need_an_attached_student(self, store, school, clock):
        start = StartParticipation(uow(store), clock)
        user = store.add_user()
        with pytest.raises(NotAStudentOfOrganization):
            await start(viewer(user), CODE)
        store.students[school[1].id] = dataclasses.replace(school[1], user_id=user.id)
        first = await start(viewer(user), CODE)
        again = await start(viewer(user), f" {CODE.lower()}")
        assert (first.created, again.created) == (True, False)
        assert first.participation == again.participation
        assert first.participation.student_id == school[1].id

    async def test_teachers_preview_others_are_forbidden(self, store, school, clock):
        start = StartParticipation(uow(store), clock)
        teacher = store.add_user()
        store.add_member(school[0], teacher.id)
        with pytest.raises(NotAStudentOfOrganization):
            await start(viewer(teacher), CODE)
        preview = await start(viewer(teacher), CODE, preview=True)
        assert preview.participation.is_preview and preview.participation.student_id is None
        with pytest.raises(RoleNotAllowed):
            await start(viewer(store.add_user()), CODE, preview=True)

    async def test_a_member_attached_to_a_pupil_only_previews_whichever_came_first(
        self, store, school, clock
    ):
        start = StartParticipation(uow(store), clock)
        pupil = store.add_user()
        store.students[school[1].id] = dataclasses.replace(school[1], user_id=pupil.id)
        await start(viewer(pupil), CODE)
        store.add_member(school[0], pupil.id)  # then joins the team
        with pytest.raises(OrganizationMemberCannotParticipate):
            await start(viewer(pupil), CODE)
        with pytest.raises(OrganizationMemberCannotParticipate):
            await start(viewer(pupil), CODE, preview=True)  # would resume the pupil's participation
        store.add_campaign(school[0], "GHJKMN567")
        with pytest.raises(OrganizationMemberCannotParticipate):
            await start(viewer(pupil), "GHJKMN567")
        assert (await start(viewer(pupil), "GHJKMN567", preview=True)).participation.is_preview

    async def test_archived_campaigns_take_no_new_participation(self, store, school, clock):
        start = StartParticipation(uow(store), clock)
        user = store.add_user()
        store.students[school[1].id] = dataclasses.replace(school[1], user_id=user.id)
        first = await start(viewer(user), CODE)
        store.campaigns[1] = dataclasses.replace(store.campaigns[1], archived_at=T0)
        assert (await start(viewer(user), CODE)).participation == first.participation
        with pytest.raises(CampaignArchived):
            await start(viewer(store.add_user()), CODE)

    async def test_anyone_joins_a_campaign_that_is_not_restricted(self, store, clock):
        store.add_campaign(store.add_organization(managing=False), "PENCAS234")
        started = await StartParticipation(uow(store), clock)(viewer(store.add_user()), "PENCAS234")
        assert started.created and started.participation.student_id is None


class TestCampaigns:
    async def test_a_taken_code_is_drawn_again(self, store, clock):
        organization = store.add_organization()
        store.add_campaign(organization, "ABCDEF234")
        member = store.add_user()
        store.add_member(organization, member.id)
        codes = iter(["ABCDEF234", "ABCDEF234", "GHJKMN567"])
        create = CreateCampaign(uow(store), clock, lambda: next(codes))
        campaign = await create(
            viewer(member), CreateCampaignCommand(organization.id, " Rentrée ", CampaignType.ASSESSMENT)
        )
        assert (campaign.code, campaign.name) == ("GHJKMN567", "Rentrée")
        assert store.events[-1].type == "CAMPAIGN_CREATED"

    async def test_an_archived_organization_takes_no_campaign(self, store, clock):
        organization = store.add_organization(archived=True)
        member = store.add_user()
        store.add_member(organization, member.id)
        with pytest.raises(OrganizationArchived):
            await CreateCampaign(uow(store), clock)(
                viewer(member), CreateCampaignCommand(organization.id, "X", CampaignType.ASSESSMENT)
            )

    async def test_archiving_is_idempotent(self, store, school, clock):
        member = store.add_user()
        store.add_member(school[0], member.id)
        archive = ArchiveCampaign(uow(store), clock)
        first = await archive(viewer(member), school[0].id, 1)
        clock.advance(hours=1)
        again = await archive(viewer(member), school[0].id, 1)
        assert first.archived_at == again.archived_at == T0
        assert [e.type for e in store.events] == ["CAMPAIGN_ARCHIVED"]
        with pytest.raises(CampaignNotFound):
            await archive(viewer(member), school[0].id, 99)


class TestTeacherTools:
    async def test_only_username_accounts_of_active_students_are_reset(self, store, school, clock):
        organization, alan = school
        pupil = store.add_user(username="alan.turing2306")
        store.students[alan.id] = dataclasses.replace(alan, user_id=pupil.id)
        both = store.add_user(username="ada.lovelace1012", email="ada@example.net")
        ada = store.add_student(organization, first_name="Ada", user_id=both.id)
        grace = store.add_student(organization, first_name="Grace")
        gone = store.add_student(
            organization, first_name="Zoé", user_id=store.add_user(username="z.z0101").id, disabled_at=T0
        )
        teacher = store.add_user()
        store.add_member(organization, teacher.id)
        store.sessions["s"] = {"user_id": pupil.id, "revoked_at": None}

        result = await ResetStudentPasswords(uow(store), FakeHasher(), clock, lambda: "abcdef12")(
            viewer(teacher), organization.id, [alan.id, ada.id, grace.id, gone.id, alan.id, 999]
        )

        assert [(r.student.id, r.username, r.temporary_password) for r in result.reset] == [
            (alan.id, "alan.turing2306", "abcdef12")
        ]
        assert [(n.student_id, n.reason) for n in result.not_reset] == [
            (ada.id, NotResetReason.EMAIL_ACCOUNT),
            (grace.id, NotResetReason.STUDENT_NOT_LINKED),
            (gone.id, NotResetReason.STUDENT_NOT_FOUND),
            (999, NotResetReason.STUDENT_NOT_FOUND),
        ]
        reset_user = store.users[pupil.id]
        assert reset_user.password_hash == "hash:abcdef12"
        assert reset_user.must_change_password is True
        assert reset_user.temporary_password_expires_at == T0 + timedelta(days=30)
        assert store.users[both.id].password_hash == f"hash:{PASSWORD}"
        assert store.sessions["s"]["revoked_at"] == T0
        assert [(e.type, e.target_id) for e in store.events] == [("STUDENT_PASSWORD_RESET", alan.id)]
        assert "abcdef12" not in repr(result.reset[0])

    async def test_administrators_detach(self, store, school, clock):
        organization, alan = school
        pupil = store.add_user(username="alan.turing2306")
        store.students[alan.id] = dataclasses.replace(alan, user_id=pupil.id)
        admin = store.add_user()
        store.add_member(organization, admin.id)
        detach = DetachStudentAccount(uow(store), clock)
        with pytest.raises(RoleNotAllowed):
            await detach(viewer(admin), organization.id, alan.id)
        store.add_member(organization, admin.id, role=Role.ADMIN)
        await detach(viewer(admin), organization.id, alan.id)
        await detach(viewer(admin), organization.id, alan.id)
        assert store.students[alan.id].user_id is None
        assert [(e.type, e.details) for e in store.events] == [
            ("STUDENT_DETACHED", {"user_id": pupil.id, "by": "admin"})
        ]
        with pytest.raises(StudentNotFound):
            await detach(viewer(admin), organization.id, 999)
