"""A pupil found in the imported list creates their account, attached to their student record."""

from __future__ import annotations

import dataclasses
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NoReturn, Protocol

from domain.accounts.entities import NewUser, TokenPair, User
from domain.accounts.errors import EmailAlreadyUsed, InvalidEmail, TermsNotAccepted, UsernameAlreadyUsed
from domain.accounts.password_policy import check_password_policy
from domain.accounts.ports import AccessTokens, PasswordHasher
from domain.accounts.sessions import open_session
from domain.audit.events import Actor, AuditEvent
from domain.campaigns.entities import Campaign
from domain.clock import Clock
from domain.joining.decisions import ENDPOINT_ACCOUNTS, OUTCOME_CONFLICT, match_record
from domain.joining.errors import StudentAlreadyLinked, StudentNotFound
from domain.joining.matching import MatchDecision
from domain.joining.steps import (
    LimitKeys,
    MatchGuard,
    TypedStudent,
    identify_among,
    joinable,
    link_conflict,
    lock_for_account,
    locked_conflict,
    read_snapshot,
    snapshot_conflict,
    username_attempts,
)
from domain.notifications.webhooks import student_linked
from domain.organizations.email_addresses import normalise_email
from domain.students.entities import Student
from domain.unit_of_work import (
    HasAudit,
    HasMatchDecisions,
    HasSessions,
    HasStudentLinks,
    HasStudents,
    HasUsers,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)

LoginKind = Literal["username", "email"]


@dataclass(frozen=True)
class CreateStudentAccountCommand:
    campaign_code: str
    student: TypedStudent
    login: LoginKind
    email: str | None = dataclasses.field(repr=False)
    password: str = dataclasses.field(repr=False)
    accept_terms: bool
    client_address: str
    locale: str = "fr"


@dataclass(frozen=True)
class _Found:
    student_id: int
    decision: MatchDecision


@dataclass(frozen=True)
class StudentAccount:
    user: User
    student: Student
    tokens: TokenPair


class CreateStudentAccountPorts(
    Writes,
    HasStudentLinks,
    HasStudents,
    HasMatchDecisions,
    HasUsers,
    HasSessions,
    HasAudit,
    HasWebhookEvents,
    Protocol,
): ...


class CreateStudentAccount:
    """The same identification as matching (same errors, same brute-force guard, same keys). The
    password is hashed only once the student is found free and the e-mail unused, so that a refused
    attempt costs no hashing; then, in ONE transaction: the account (a username generated from the
    imported record, or an e-mail; a password that follows the policy; the terms accepted) and its
    attachment to the student.

    The student's row is locked, and checked again, before anything is written, so of two
    simultaneous requests (a double click) the second waits, then finds the student attached: 409
    ``STUDENT_ALREADY_LINKED`` (``S51``/``S52``), and no second account. The username is
    ``first.last`` + DDMM, then 4 random digits while the unique index refuses it (never
    check-then-insert). The account is named as imported, not as typed."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[CreateStudentAccountPorts],
        hasher: PasswordHasher,
        tokens: AccessTokens,
        guard: MatchGuard,
        clock: Clock,
        refresh_ttl: timedelta,
        identify_uow: UnitOfWorkFactory[CreateStudentAccountPorts] | None = None,
    ) -> None:
        """``identify_uow``: the units of work of the identification, which reads, then writes only
        a refusal's decision, as the match does (so it may run statement at a time, as the match's);
        ``uow`` by default."""
        self._uow = uow
        self._identify_uow = identify_uow or uow
        self._hasher = hasher
        self._tokens = tokens
        self._guard = guard
        self._clock = clock
        self._refresh_ttl = refresh_ttl

    async def __call__(self, command: CreateStudentAccountCommand) -> StudentAccount:
        keys = await self._guard.admit(command.client_address)
        email = None
        if command.login == "email":
            email = normalise_email(command.email or "")
            if email is None:
                raise InvalidEmail(meta={"field": "email"})
        if not command.accept_terms:
            raise TermsNotAccepted()
        check_password_policy(command.password)
        # The attempts aimed at the same student are identified one at a time: see MatchGuard.
        async with AsyncExitStack() as held:
            found = await self._identify(command, keys, email, held)
        # Only now, the student found and free: a refused attempt costs no hashing.
        password_hash = await self._hasher.hash(command.password)
        now = self._clock.now()
        async with self._uow() as uow:
            locked = await lock_for_account(uow, command.campaign_code, found.student_id)
            campaign, _ = joinable(locked.campaign)
            student = locked.student
            if student is None or not student.is_active:
                # Disabled (or gone) since it was identified.
                await uow.match_decisions.record(
                    match_record(
                        campaign.id,
                        ENDPOINT_ACCOUNTS,
                        now,
                        found.decision,
                        outcome="NOT_FOUND",
                        rule="student_disabled",
                    )
                )
                await uow.commit()
                await self._guard.count_not_found(keys)
                raise StudentNotFound()
            conflict = await locked_conflict(uow, locked, student, ENDPOINT_ACCOUNTS)
            if conflict is not None:
                await self._record_conflict(uow, campaign, found.decision, conflict, now)
            await uow.match_decisions.record(
                match_record(campaign.id, ENDPOINT_ACCOUNTS, now, found.decision)
            )
            try:
                user = await self._add_user(uow, student, email, password_hash, command.locale, now)
            except EmailAlreadyUsed:
                await uow.commit()  # the refused insert wrote nothing: only the decision is kept
                raise
            if not await uow.students.attach_new_account(student.id, user.id, now):
                # Not reachable while the row lock holds; the conditional update still guards it.
                fresh = await uow.student_links.get(student.id)
                late = await link_conflict(uow, fresh, endpoint=ENDPOINT_ACCOUNTS) if fresh else None
                raise late or StudentNotFound()
            await self._audit(uow, student, user, command.login, now)
            tokens = await open_session(uow.sessions, self._tokens, user, now, self._refresh_ttl)
            await uow.commit()
            return StudentAccount(user, dataclasses.replace(student, user_id=user.id), tokens)

    async def _identify(
        self, command: CreateStudentAccountCommand, keys: LimitKeys, email: str | None, held: AsyncExitStack
    ) -> _Found:
        """The student the typed identity designates, if it is free and the e-mail too; otherwise the
        decision is recorded and the refusal raised (a not-found counted by the guard)."""
        now = self._clock.now()
        async with self._identify_uow() as uow:
            # One read: the campaign, the roster's revision, the candidates and their accounts.
            snapshot = await read_snapshot(uow, command.campaign_code, command.student.birthdate)
            campaign, organization = joinable(snapshot.campaign)
            # Into the caller's keys: a student disabled before the account is written counts there too.
            keys.extend(
                await self._guard.aim(
                    uow, organization, command.campaign_code, command.student, held, snapshot.roster_version
                )
            )
            found = identify_among([c.student for c in snapshot.candidates], command.student)
            if found.student is not None:
                conflict = snapshot_conflict(snapshot, found.student, ENDPOINT_ACCOUNTS)
                if conflict is not None:
                    await self._record_conflict(uow, campaign, found.decision, conflict, now)
                if email is not None and await uow.users.find_by_email(email) is not None:
                    await uow.match_decisions.record(
                        match_record(campaign.id, ENDPOINT_ACCOUNTS, now, found.decision)
                    )
                    await uow.commit()
                    raise EmailAlreadyUsed()
                return _Found(found.student.id, found.decision)
            await uow.match_decisions.record(
                match_record(campaign.id, ENDPOINT_ACCOUNTS, now, found.decision)
            )
            await uow.commit()
        await self._guard.count_not_found(keys)
        raise StudentNotFound()

    async def _record_conflict(
        self,
        uow: CreateStudentAccountPorts,
        campaign: Campaign,
        decision: MatchDecision,
        conflict: StudentAlreadyLinked,
        now: datetime,
    ) -> NoReturn:
        await uow.match_decisions.record(
            match_record(
                campaign.id,
                ENDPOINT_ACCOUNTS,
                now,
                decision,
                outcome=OUTCOME_CONFLICT,
                reason=conflict.reason,
            )
        )
        await uow.commit()
        raise conflict

    async def _add_user(
        self,
        uow: CreateStudentAccountPorts,
        student: Student,
        email: str | None,
        password_hash: str,
        locale: str,
        now: datetime,
    ) -> User:
        def new_user(username: str | None) -> NewUser:
            return NewUser(
                first_name=student.first_name,
                last_name=student.last_name,
                email=email,
                username=username,
                password_hash=password_hash,
                terms_accepted_at=now,
                locale=locale,
                created_at=now,
            )

        if email is not None:
            return await uow.users.add(new_user(None))
        for username in username_attempts(student):
            try:
                return await uow.users.add(new_user(username))
            except UsernameAlreadyUsed:
                continue
        raise UsernameAlreadyUsed()

    async def _audit(
        self, uow: CreateStudentAccountPorts, student: Student, user: User, login: str, now: datetime
    ) -> None:
        actor = Actor(user.id, "user")
        await uow.audit.record(
            AuditEvent(
                type="STUDENT_ACCOUNT_CREATED",
                actor=actor,
                occurred_at=now,
                organization_id=student.organization_id,
                target_type="user",
                target_id=user.id,
                details={"student_id": student.id, "login": login},
            ),
            AuditEvent(
                type="STUDENT_ATTACHED",
                actor=actor,
                occurred_at=now,
                organization_id=student.organization_id,
                target_type="student",
                target_id=student.id,
                details={"user_id": user.id, "via": "account_creation"},
            ),
        )
        await uow.webhook_events.record(student_linked(student.organization_id, student.id, user.id, now))
