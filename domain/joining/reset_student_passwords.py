"""A teacher resets the passwords of pupils who log in with a username."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Final, Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.accounts.ports import PasswordHasher
from domain.accounts.temporary_password import generate_temporary_password
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.joining.ports import StudentWithAccount
from domain.pagination import MAX_PAGE_SIZE
from domain.students.entities import Student
from domain.unit_of_work import HasAudit, HasSessions, HasStudentLinks, HasUsers, UnitOfWorkFactory, Writes

TEMPORARY_PASSWORD_VALIDITY: Final = timedelta(days=30)
MAX_STUDENTS: Final = MAX_PAGE_SIZE
"""Ids a request may name: a page of the list; each one reset costs a password hash."""


class NotResetReason(StrEnum):
    STUDENT_NOT_FOUND = "STUDENT_NOT_FOUND"  # not a student of the organization, or disabled
    STUDENT_NOT_LINKED = "STUDENT_NOT_LINKED"  # no account attached
    EMAIL_ACCOUNT = "EMAIL_ACCOUNT"  # the account logs in with an e-mail: forgotten-password e-mail
    ACCOUNT_IN_USE_ELSEWHERE = "ACCOUNT_IN_USE_ELSEWHERE"  # also attached to an active student elsewhere


@dataclass(frozen=True)
class ResetPassword:
    student: Student
    username: str
    temporary_password: str = dataclasses.field(repr=False)


@dataclass(frozen=True)
class NotReset:
    student_id: int
    reason: NotResetReason


@dataclass(frozen=True)
class StudentPasswordResets:
    reset: list[ResetPassword]
    not_reset: list[NotReset]


def _reason(item: StudentWithAccount | None) -> NotResetReason | None:
    if item is None or not item.student.is_active:
        return NotResetReason.STUDENT_NOT_FOUND
    if item.account is None:
        return NotResetReason.STUDENT_NOT_LINKED
    if item.account.email or not item.account.username:
        return NotResetReason.EMAIL_ACCOUNT
    if item.in_use_elsewhere:
        return NotResetReason.ACCOUNT_IN_USE_ELSEWHERE
    return None


class ResetStudentPasswordsPorts(
    Writes, MemberPorts, HasStudentLinks, HasUsers, HasSessions, HasAudit, Protocol
): ...


class ResetStudentPasswords:
    """Any member. Only accounts attached to an active student of the organization that log in with
    a **username**: an e-mail account (even one that also has a username) keeps its password and is
    listed with ``EMAIL_ACCOUNT`` (it has the forgotten-password e-mail; resetting it would hand a
    mailbox-protected account to whoever asks), a student without account with
    ``STUDENT_NOT_LINKED``, an unknown or disabled one with ``STUDENT_NOT_FOUND``, an account also
    attached to an active student of another organization (the pupil left for another school) with
    ``ACCOUNT_IN_USE_ELSEWHERE``: its password belongs to the pupil there, never to a member here.
    Each reset account gets a temporary password (6 letters, 2 digits) valid 30 days, must change it
    at first login, and loses its open sessions. Hashing happens between two short transactions,
    the second one checking again that each account is still the one to reset."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[ResetStudentPasswordsPorts],
        hasher: PasswordHasher,
        clock: Clock,
        generate: Callable[[], str] = generate_temporary_password,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._generate = generate

    async def __call__(
        self, viewer: Viewer, organization_id: int, student_ids: Sequence[int]
    ) -> StudentPasswordResets:
        wanted = list(dict.fromkeys(student_ids))[:MAX_STUDENTS]
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id)
            listed = await uow.student_links.with_accounts(organization_id, wanted)
        found: dict[int, StudentWithAccount | None] = {item.student.id: item for item in listed}
        eligible = [i for i in wanted if _reason(found.get(i)) is None]
        passwords = {student_id: self._generate() for student_id in eligible}
        # One hash at a time through the hasher's bounded threads: a batch holds one of them at most,
        # and logins queue between its hashes.
        hashes = {student_id: await self._hasher.hash(password) for student_id, password in passwords.items()}

        now = self._clock.now()
        reset: list[ResetPassword] = []
        if not passwords:
            return StudentPasswordResets(reset, _not_reset(wanted, found, set()))
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id)
            fresh = {
                item.student.id: item
                for item in await uow.student_links.with_accounts(organization_id, list(passwords))
            }
            for student_id in eligible:
                item = found[student_id] = fresh.get(student_id)
                if item is None or item.account is None or item.account.username is None or _reason(item):
                    continue  # changed since it was read: listed with its reason as it is now
                await uow.users.set_password(
                    item.account.user_id,
                    hashes[item.student.id],
                    must_change_password=True,
                    temporary_password_expires_at=now + TEMPORARY_PASSWORD_VALIDITY,
                    now=now,
                )
                await uow.sessions.revoke_all_of_user(item.account.user_id, now)
                await uow.audit.record(
                    AuditEvent(
                        type="STUDENT_PASSWORD_RESET",
                        actor=user_actor(viewer),
                        occurred_at=now,
                        organization_id=organization_id,
                        target_type="student",
                        target_id=item.student.id,
                        details={"user_id": item.account.user_id},
                    )
                )
                reset.append(ResetPassword(item.student, item.account.username, passwords[item.student.id]))
            await uow.commit()
        reset.sort(
            key=lambda r: (r.student.division, r.student.last_name, r.student.first_name, r.student.id)
        )
        return StudentPasswordResets(reset, _not_reset(wanted, found, {r.student.id for r in reset}))


def _not_reset(
    wanted: list[int], found: dict[int, StudentWithAccount | None], done: set[int]
) -> list[NotReset]:
    return [
        NotReset(student_id, _reason(found.get(student_id)) or NotResetReason.STUDENT_NOT_FOUND)
        for student_id in wanted
        if student_id not in done
    ]
