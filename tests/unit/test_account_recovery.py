"""Account recovery: the pure decisions (which records the typed identity designates, which refusal),
then the three use cases with in-memory fakes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest

from domain.accounts.errors import EmailAlreadyUsed, InvalidEmail, InvalidPassword
from domain.errors import TooManyRequests
from domain.joining.errors import EmptyName, StudentNotFound
from domain.joining.match_student_identity import MatchStudentCommand, MatchStudentIdentity
from domain.joining.steps import MatchGuard, TypedStudent
from domain.notifications.email import ACCOUNT_RECOVERY
from domain.rate_limits import Limit
from domain.recovery.complete_account_recovery import CompleteAccountRecovery, CompleteAccountRecoveryCommand
from domain.recovery.decisions import AccountFacts, TypedRecovery, identity_records, recovery_decision
from domain.recovery.entities import RECOVERY_LINK_TTL
from domain.recovery.errors import AccountRecoveryNotAllowed, RecoveryLinkInvalid, RecoveryRefusal
from domain.recovery.read_account_recovery import (
    AccountRecoveryView,
    ReadAccountRecovery,
    ReadAccountRecoveryCommand,
)
from domain.recovery.request_account_recovery import RequestAccountRecovery, RequestAccountRecoveryCommand
from domain.secrets import hash_secret
from domain.students.entities import Student
from tests.unit.fakes import FakeClock, FakeHasher, FakeLimiter, FakeUnitOfWork, InlineCpuWork
from tests.unit.fakes_campaigns import T0, JoiningStore

INE = "000001021PX"
BORN = date(2007, 2, 13)
JULES = TypedRecovery(INE, "Jules", "Maigret", BORN)
EMAIL = "jules.maigret@example.net"
ADDRESS = "192.0.2.10"
PASSWORD = "Nouveau2026"


def record(student_id: int, *, user_id: int | None = None, active: bool = False, **fields: object) -> Student:
    values: dict[str, object] = {
        "id": student_id,
        "organization_id": student_id,
        "national_student_id": INE,
        "last_name": "MAIGRET",
        "preferred_last_name": None,
        "first_name": "Jules",
        "middle_name": None,
        "third_name": None,
        "birthdate": BORN,
        "division": "TG1",
        "user_id": user_id,
        "created_at": T0,
        "updated_at": T0,
        "disabled_at": None if active else T0,
    }
    values.update(fields)
    return Student(**values)  # type: ignore[arg-type]


def facts(user_id: int, **changes: bool) -> AccountFacts:
    return dataclasses.replace(AccountFacts(user_id, False, False, False), **changes)


# --- Which records the typed identity designates ------------------------------------------------


class TestIdentityRecords:
    def test_the_ine_the_birth_date_and_the_names_designate_the_records_of_every_school(self) -> None:
        here, there = record(1), record(2, active=True)
        assert identity_records([here, there], JULES) == [here, there]

    def test_the_ine_is_read_as_the_import_stores_it(self) -> None:
        assert identity_records(
            [record(1)], dataclasses.replace(JULES, national_student_id=" 000001021px ")
        ) == [record(1)]

    @pytest.mark.parametrize(
        ("first_name", "last_name"), [("jules", "MAIGRET"), ("Jule", "Maigret"), ("Jules", "Maigre")]
    )
    def test_names_are_matched_with_the_matchers_tolerance(self, first_name: str, last_name: str) -> None:
        typed = dataclasses.replace(JULES, first_name=first_name, last_name=last_name)
        assert identity_records([record(1)], typed) == [record(1)]

    def test_a_second_given_name_or_a_usage_name_is_accepted_as_the_matcher_accepts_it(self) -> None:
        stored = record(1, middle_name="Amédée", preferred_last_name="SIMENON")
        typed = dataclasses.replace(JULES, first_name="Amedee", last_name="Simenon")
        assert identity_records([stored], typed) == [stored]

    @pytest.mark.parametrize(
        "typed",
        [
            dataclasses.replace(JULES, national_student_id="000001022PX"),
            dataclasses.replace(JULES, birthdate=date(2007, 2, 14)),
            dataclasses.replace(JULES, first_name="Julien"),
            dataclasses.replace(JULES, last_name="Megrette"),
        ],
        ids=["other INE", "other birth date", "other first name", "other last name"],
    )
    def test_any_part_wrong_designates_nobody(self, typed: TypedRecovery) -> None:
        assert identity_records([record(1)], typed) == []

    @pytest.mark.parametrize("records", [[], [record(1)]], ids=["no record", "a record"])
    def test_a_name_that_normalises_to_nothing_is_refused_whatever_the_records(
        self, records: list[Student]
    ) -> None:
        with pytest.raises(EmptyName):
            identity_records(records, dataclasses.replace(JULES, last_name=" - "))


# --- Whether the account may be recovered ---------------------------------------------------------


class TestRecoveryDecision:
    def test_one_account_of_records_all_disabled_may_be_recovered(self) -> None:
        decision = recovery_decision([record(1, user_id=7), record(2)], {7: facts(7)})
        assert (decision.user_id, decision.refusal) == (7, None)

    def test_no_account(self) -> None:
        assert recovery_decision([record(1), record(2)], {}).refusal == RecoveryRefusal.NO_ACCOUNT

    def test_an_active_record_holding_the_account_means_still_at_school(self) -> None:
        held_here = recovery_decision([record(1, user_id=7, active=True)], {7: facts(7)})
        held_elsewhere = recovery_decision([record(1, user_id=7)], {7: facts(7, held_by_active_record=True)})
        assert held_here.refusal == held_elsewhere.refusal == RecoveryRefusal.STILL_AT_SCHOOL

    def test_an_active_record_without_account_does_not_hold_it(self) -> None:
        decision = recovery_decision([record(1, user_id=7), record(2, active=True)], {7: facts(7)})
        assert decision.user_id == 7

    def test_has_email(self) -> None:
        assert recovery_decision([record(1, user_id=7)], {7: facts(7, has_email=True)}).refusal == (
            RecoveryRefusal.HAS_EMAIL
        )

    def test_a_recovered_account_says_so_though_it_has_an_email_now(self) -> None:
        decision = recovery_decision([record(1, user_id=7)], {7: facts(7, has_email=True, recovered=True)})
        assert decision.refusal == RecoveryRefusal.ALREADY_RECOVERED

    def test_several_accounts(self) -> None:
        decision = recovery_decision([record(1, user_id=7), record(2, user_id=8)], {7: facts(7), 8: facts(8)})
        assert decision.refusal == RecoveryRefusal.SEVERAL_ACCOUNTS

    @pytest.mark.parametrize(
        ("records", "accounts", "refusal"),
        [
            (
                [record(1, user_id=7, active=True), record(2, user_id=8)],
                {7: facts(7, recovered=True, has_email=True), 8: facts(8)},
                RecoveryRefusal.STILL_AT_SCHOOL,
            ),
            (
                [record(1, user_id=7), record(2, user_id=8)],
                {7: facts(7, recovered=True, has_email=True), 8: facts(8)},
                RecoveryRefusal.ALREADY_RECOVERED,
            ),
            (
                [record(1, user_id=7), record(2, user_id=8)],
                {7: facts(7, has_email=True), 8: facts(8)},
                RecoveryRefusal.HAS_EMAIL,
            ),
        ],
        ids=["still at school first", "then already recovered", "then has e-mail, before several"],
    )
    def test_the_reasons_are_checked_in_order(
        self, records: list[Student], accounts: dict[int, AccountFacts], refusal: RecoveryRefusal
    ) -> None:
        assert recovery_decision(records, accounts).refusal == refusal


# --- The use cases --------------------------------------------------------------------------------


@pytest.fixture
def store() -> JoiningStore:
    return JoiningStore()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def jules(store: JoiningStore) -> tuple[int, Student]:
    """A pupil who has left: his only record is disabled, his account has a username only."""
    school = store.add_organization()
    user = store.add_user(username="jules.maigret1302")
    student = store.add_student(
        school,
        national_student_id=INE,
        first_name="Jules",
        last_name="MAIGRET",
        birthdate=BORN,
        user_id=user.id,
        disabled_at=T0,
    )
    return user.id, student


def uow(store: JoiningStore):  # type: ignore[no-untyped-def]
    return lambda: FakeUnitOfWork(store)


def requester(
    store: JoiningStore, clock: FakeClock, limiter: FakeLimiter | None = None
) -> RequestAccountRecovery:
    limiter = limiter or FakeLimiter()
    return RequestAccountRecovery(uow(store), MatchGuard(limiter, InlineCpuWork()), limiter, clock)


def asking(
    typed: TypedRecovery = JULES, email: str = EMAIL, locale: str | None = None
) -> RequestAccountRecoveryCommand:
    return RequestAccountRecoveryCommand(typed, email, locale, ADDRESS)


def the_link(store: JoiningStore) -> tuple[str, str]:
    email, _ = store.outbox[-1]
    return str(email.params["recovery_id"]), str(email.params["code"])


class TestRequest:
    async def test_a_link_valid_a_day_goes_to_the_address_and_the_request_is_audited(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        user_id, _ = jules
        await requester(store, clock)(asking(email=" Jules.Maigret@Example.NET ", locale="en"))
        ((email, _),) = store.outbox
        assert (email.kind, email.to, email.locale) == (ACCOUNT_RECOVERY, EMAIL, "en")
        assert email.params["expires_at"] == (T0 + RECOVERY_LINK_TTL).isoformat()
        (recovery,) = store.recoveries.values()
        assert str(recovery.id) == email.params["recovery_id"]
        assert recovery.code_hash == hash_secret(email.params["code"])  # only the hash is kept
        assert (recovery.user_id, recovery.email, recovery.expires_at) == (
            user_id,
            EMAIL,
            T0 + RECOVERY_LINK_TTL,
        )
        (event,) = store.events
        assert (event.type, event.actor.label, event.target_id) == (
            "ACCOUNT_RECOVERY_REQUESTED",
            "anonymous",
            user_id,
        )
        assert store.users[user_id].email is None  # nothing changes before the link is followed

    async def test_the_email_is_in_the_accounts_language_unless_asked(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        await requester(store, clock)(asking())
        assert store.outbox[-1][0].locale == "fr"

    async def test_nobody_matching_is_not_found_and_counted_against_the_pupil_aimed_at(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        _, student = jules
        limiter = FakeLimiter()
        with pytest.raises(StudentNotFound):
            await requester(store, clock, limiter)(
                asking(dataclasses.replace(JULES, birthdate=date(2007, 2, 14)))
            )
        assert limiter.failures == {
            (Limit.MATCH_PER_ADDRESS, (ADDRESS,)): 1,
            (Limit.MATCH_PER_NAME, ("student", str(student.id))): 1,
            (Limit.ACCOUNT_RECOVERY_REQUESTS_PER_ADDRESS, (ADDRESS,)): 1,
        }
        assert store.outbox == [] and store.recoveries == {}

    async def test_failures_aimed_at_nobody_count_per_ine_typed(
        self, store: JoiningStore, clock: FakeClock
    ) -> None:
        limiter = FakeLimiter()
        with pytest.raises(StudentNotFound):
            await requester(store, clock, limiter)(asking())
        keys = {key for (limit, key) in limiter.failures if limit == Limit.MATCH_PER_NAME}
        (key,) = keys
        assert key[0] == "recovery" and INE not in key[1]

    async def test_the_guesses_at_a_pupil_share_the_matchings_budget(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        """Two failed recoveries exhaust a budget of 2: matching the same pupil is refused too."""
        _, student = jules
        school = store.organizations[student.organization_id]
        store.add_campaign(school, "ABCDEF234")
        store.students[student.id] = dataclasses.replace(student, disabled_at=None, user_id=None)
        limiter = FakeLimiter({Limit.MATCH_PER_NAME: 2})
        wrong_day = dataclasses.replace(JULES, birthdate=date(2007, 2, 14))
        for _ in range(2):
            with pytest.raises(StudentNotFound):
                await requester(store, clock, limiter)(asking(wrong_day))
        match = MatchStudentIdentity(uow(store), MatchGuard(limiter, InlineCpuWork()), clock)
        with pytest.raises(TooManyRequests):
            await match(MatchStudentCommand("ABCDEF234", TypedStudent("Jules", "Maigret", BORN), ADDRESS))

    @pytest.mark.parametrize(
        ("arrange", "refusal"),
        [
            ("no_account", RecoveryRefusal.NO_ACCOUNT),
            ("still_at_school", RecoveryRefusal.STILL_AT_SCHOOL),
            ("has_email", RecoveryRefusal.HAS_EMAIL),
            ("several_accounts", RecoveryRefusal.SEVERAL_ACCOUNTS),
        ],
    )
    async def test_each_refusal_changes_nothing_and_counts_no_failure(
        self,
        store: JoiningStore,
        clock: FakeClock,
        jules: tuple[int, Student],
        arrange: str,
        refusal: RecoveryRefusal,
    ) -> None:
        user_id, student = jules
        if arrange == "no_account":
            store.students[student.id] = dataclasses.replace(student, user_id=None)
        elif arrange == "still_at_school":
            other = store.add_organization()
            store.add_student(other, national_student_id="000000042PX", user_id=user_id)
        elif arrange == "has_email":
            store.users[user_id] = dataclasses.replace(store.users[user_id], email="jules@example.org")
        else:
            other = store.add_organization()
            second = store.add_user(username="jules.maigret0001")
            store.add_student(
                other,
                national_student_id=INE,
                first_name="Jules",
                last_name="MAIGRET",
                birthdate=BORN,
                user_id=second.id,
                disabled_at=T0,
            )
        limiter = FakeLimiter()
        with pytest.raises(AccountRecoveryNotAllowed) as refused:
            await requester(store, clock, limiter)(asking())
        assert refused.value.meta == {"reason": refusal.value}
        assert store.outbox == [] and store.recoveries == {} and store.commits == 0
        assert all(limit == Limit.ACCOUNT_RECOVERY_REQUESTS_PER_ADDRESS for limit, _ in limiter.failures)

    async def test_an_account_recovered_once_is_not_recovered_again(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        await requester(store, clock)(asking())
        recovery_id, code = the_link(store)
        await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, PASSWORD))
        with pytest.raises(AccountRecoveryNotAllowed) as refused:
            await requester(store, clock)(asking(email="autre@example.net"))
        assert refused.value.meta == {"reason": "ALREADY_RECOVERED"}

    async def test_an_address_of_another_account_is_refused(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        store.add_user(email=EMAIL)
        with pytest.raises(EmailAlreadyUsed):
            await requester(store, clock)(asking())
        assert store.outbox == []

    async def test_an_invalid_address_is_refused(self, store: JoiningStore, clock: FakeClock) -> None:
        with pytest.raises(InvalidEmail):
            await requester(store, clock)(asking(email="jules.maigret"))

    async def test_emails_are_capped_per_account(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        limiter = FakeLimiter({Limit.ACCOUNT_RECOVERY_EMAILS_PER_ACCOUNT: 2})
        for n in range(2):
            await requester(store, clock, limiter)(asking(email=f"jules{n}@example.net"))
        with pytest.raises(TooManyRequests):
            await requester(store, clock, limiter)(asking(email="jules9@example.net"))
        assert len(store.outbox) == 2

    async def test_requests_are_capped_per_client_address_whatever_their_outcome(
        self, store: JoiningStore, clock: FakeClock
    ) -> None:
        limiter = FakeLimiter({Limit.ACCOUNT_RECOVERY_REQUESTS_PER_ADDRESS: 1})
        with pytest.raises(StudentNotFound):
            await requester(store, clock, limiter)(asking())
        with pytest.raises(TooManyRequests):
            await requester(store, clock, limiter)(asking())


def reader(store: JoiningStore, clock: FakeClock) -> ReadAccountRecovery:
    return ReadAccountRecovery(uow(store), clock)


def completer(store: JoiningStore, clock: FakeClock) -> CompleteAccountRecovery:
    return CompleteAccountRecovery(uow(store), FakeHasher(), clock)


class TestReadAndComplete:
    async def test_the_link_shows_whose_account_it_is(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        await requester(store, clock)(asking())
        recovery_id, code = the_link(store)
        view = await reader(store, clock)(ReadAccountRecoveryCommand(recovery_id, code))
        assert view == AccountRecoveryView("Ada", "j***.m***2")  # the fake accounts are all Ada's

    async def test_completing_sets_the_email_and_the_password_revokes_sessions_and_is_audited(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        user_id, _ = jules
        store.sessions["s1"] = {"user_id": user_id, "revoked_at": None}
        await requester(store, clock)(asking())
        recovery_id, code = the_link(store)
        clock.advance(hours=1)
        await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, PASSWORD))
        user = store.users[user_id]
        assert (user.email, user.password_hash, user.must_change_password) == (
            EMAIL,
            f"hash:{PASSWORD}",
            False,
        )
        assert store.sessions["s1"]["revoked_at"] == clock.now()
        event = store.events[-1]
        assert (event.type, event.actor.user_id, event.target_id) == ("ACCOUNT_RECOVERED", user_id, user_id)
        assert event.details == {"recovery_id": recovery_id}
        with pytest.raises(RecoveryLinkInvalid):
            await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, PASSWORD))
        with pytest.raises(RecoveryLinkInvalid):
            await reader(store, clock)(ReadAccountRecoveryCommand(recovery_id, code))

    async def test_a_weak_password_is_refused_and_the_link_stays_usable(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        await requester(store, clock)(asking())
        recovery_id, code = the_link(store)
        with pytest.raises(InvalidPassword):
            await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, "faible"))
        await reader(store, clock)(ReadAccountRecoveryCommand(recovery_id, code))

    @pytest.mark.parametrize("how", ["wrong code", "not an id", "unknown id", "expired", "replaced"])
    async def test_an_invalid_link_is_gone_whatever_the_reason(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student], how: str
    ) -> None:
        await requester(store, clock)(asking())
        recovery_id, code = the_link(store)
        if how == "wrong code":
            code = code[:-1] + ("A" if code[-1] != "A" else "B")
        elif how == "not an id":
            recovery_id = "../../etc/passwd"
        elif how == "unknown id":
            recovery_id = str(uuid.uuid4())
        elif how == "expired":
            clock.advance(hours=24)
        else:
            await requester(store, clock)(asking(email="jules2@example.net"))
        with pytest.raises(RecoveryLinkInvalid):
            await reader(store, clock)(ReadAccountRecoveryCommand(recovery_id, code))
        with pytest.raises(RecoveryLinkInvalid):
            await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, PASSWORD))

    async def test_an_address_taken_since_the_request_is_refused_and_the_link_stays_usable(
        self, store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
    ) -> None:
        user_id, _ = jules
        await requester(store, clock)(asking())
        recovery_id, code = the_link(store)
        store.add_user(email=EMAIL)
        with pytest.raises(EmailAlreadyUsed):
            await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, PASSWORD))
        assert store.users[user_id].email is None
        assert await reader(store, clock)(ReadAccountRecoveryCommand(recovery_id, code))


async def test_a_pupil_back_at_school_since_the_request_asks_the_teacher(
    store: JoiningStore, clock: FakeClock, jules: tuple[int, Student]
) -> None:
    """A school imports the pupil again, and the import attaches his account to the new record,
    before he follows the link: the link is no longer valid, and the account unchanged."""
    user_id, _ = jules
    await requester(store, clock)(asking())
    recovery_id, code = the_link(store)
    store.add_student(store.add_organization(), national_student_id=INE, user_id=user_id)
    with pytest.raises(RecoveryLinkInvalid):
        await reader(store, clock)(ReadAccountRecoveryCommand(recovery_id, code))
    with pytest.raises(RecoveryLinkInvalid):
        await completer(store, clock)(CompleteAccountRecoveryCommand(recovery_id, code, PASSWORD))
    assert store.users[user_id].email is None
