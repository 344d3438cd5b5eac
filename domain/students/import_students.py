"""Step 4: an administrator imports the SIECLE export, or a CSV or JSON roster; the student list
follows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO, Protocol

from domain.access import Caller, MemberPorts, actor_of, require_member
from domain.api_clients.entities import Scope
from domain.audit.events import Actor, AuditEvent
from domain.clock import Clock
from domain.cpu_work import CpuWork
from domain.errors import DomainError
from domain.notifications.webhooks import student_detached, student_import_completed, student_linked
from domain.organizations.entities import Organization
from domain.organizations.errors import OrganizationArchived, OrganizationNotFound
from domain.students.errors import (
    ImportInProgress,
    InvalidSiecleFile,
    InvalidStudentFile,
    NotManagingStudents,
    TooManyStudentsDisabled,
)
from domain.students.ports import (
    AccountElsewhere,
    ImportMetrics,
    ReadUpload,
    ReceiveUpload,
    StoredStudent,
    StudentFileReader,
    imported_fields,
)
from domain.students.roster import SIECLE_XML, Roster, check_roster
from domain.students.siecle import (
    NO_STUDENTS,
    SiecleFile,
    SiecleReport,
    SiecleWarning,
    StudentRecord,
    check_siecle_file,
)
from domain.unit_of_work import (
    HasAudit,
    HasStudentImports,
    HasStudents,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)

COMPLETED = "COMPLETED"
FAILED = "FAILED"
ACCOUNT_KEPT_ELSEWHERE = "ACCOUNT_KEPT_ELSEWHERE"


@dataclass(frozen=True)
class ImportStudentsCommand:
    organization_id: int
    receive: ReceiveUpload = field(repr=False)
    """Called once the caller may import: nothing of the upload is read before."""
    dry_run: bool = False
    confirm_disable: bool = False


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    reactivated: int = 0
    unchanged: int = 0
    disabled: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class ImportReport:
    id: int | None
    status: str
    dry_run: bool
    requires_confirmation: bool
    counts: ImportCounts
    report: SiecleReport
    warnings: list[SiecleWarning]
    format: str = SIECLE_XML


@dataclass
class _Plan:
    creates: list[StudentRecord] = field(default_factory=list)
    updates: list[tuple[int, StudentRecord]] = field(default_factory=list)
    disables: list[int] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    active_before: int = 0
    arrivals: list[StudentRecord] = field(default_factory=list)
    """Created, or reactivated without an account: those who may get an account back."""
    returning: list[tuple[StudentRecord, int, int]] = field(default_factory=list)
    """Reactivated with an account still attached: (entry, student id, account)."""


def plan_import(records: list[StudentRecord], stored: dict[str, StoredStudent], skipped: int) -> _Plan:
    """Each kept entry counts once: created, reactivated (was disabled; wins over updated),
    updated (a stored field changed) or unchanged. Every active student whose INE is not
    kept is disabled, never deleted, those the file lists as left included."""
    plan = _Plan(counts=ImportCounts(skipped=skipped))
    kept = set()
    for record in records:
        kept.add(record.national_student_id)
        existing = stored.get(record.national_student_id)
        if existing is None:
            plan.creates.append(record)
            plan.arrivals.append(record)
            plan.counts.created += 1
        elif existing.disabled:
            plan.updates.append((existing.id, record))
            if existing.user_id is None:
                plan.arrivals.append(record)
            else:  # kept unless the account is now in use at another school
                plan.returning.append((record, existing.id, existing.user_id))
            plan.counts.reactivated += 1
        elif existing.fields != imported_fields(record):
            plan.updates.append((existing.id, record))
            plan.counts.updated += 1
        else:
            plan.counts.unchanged += 1
    for student in stored.values():
        if not student.disabled:
            plan.active_before += 1
            if student.national_student_id not in kept:
                plan.disables.append(student.id)
    plan.counts.disabled = len(plan.disables)
    return plan


def plan_returning_accounts(
    organization_id: int,
    arrivals: list[StudentRecord],
    elsewhere: list[AccountElsewhere],
    in_use: dict[int, frozenset[int]],
) -> tuple[list[tuple[str, int]], list[SiecleWarning]]:
    """(INE, account) pairs to attach for the students who changed school, and the warnings.

    ``elsewhere`` holds the accounts attached to a student of the same INE in other organizations,
    most recent first; ``in_use`` maps an account to the organizations where it is attached to an
    active student. An arrival gets an account with the same birthdate only when none of that
    account's students, anywhere, is active: an account in use at another school is never handed
    over (the arrival stays unlinked, with a warning), nor one already attached to an active student
    here, nor one given to another arrival of the same file.
    """
    birthdates = {record.national_student_id: record.birthdate for record in arrivals}
    by_ine: dict[str, list[int]] = {national_id: [] for national_id in birthdates}
    for account in elsewhere:
        accounts = by_ine.get(account.national_student_id)
        same_person = account.birthdate == birthdates.get(account.national_student_id)
        if accounts is not None and same_person and account.user_id not in accounts:
            accounts.append(account.user_id)
    links: list[tuple[str, int]] = []
    warnings: list[SiecleWarning] = []
    given: set[int] = set()
    for record in arrivals:
        accounts = by_ine[record.national_student_id]
        if any(in_use.get(user_id, frozenset()) - {organization_id} for user_id in accounts):
            warnings.append(_account_kept_elsewhere(record))
            continue
        free = [user_id for user_id in accounts if user_id not in in_use and user_id not in given]
        if free:
            links.append((record.national_student_id, free[0]))
            given.add(free[0])
    return links, warnings


def plan_kept_accounts(
    organization_id: int,
    returning: list[tuple[StudentRecord, int, int]],
    in_use: dict[int, frozenset[int]],
) -> tuple[list[tuple[int, int]], list[SiecleWarning]]:
    """The (student id, account) pairs of reactivated students to detach from their account, and the
    warnings: an account attached to an active student of another organization (the pupil went
    there since) is never kept here, so that no member here can reset its password and take it."""
    detached: list[tuple[int, int]] = []
    warnings: list[SiecleWarning] = []
    for record, student_id, user_id in returning:
        if in_use.get(user_id, frozenset()) - {organization_id}:
            detached.append((student_id, user_id))
            warnings.append(_account_kept_elsewhere(record))
    return detached, warnings


def _account_kept_elsewhere(record: StudentRecord) -> SiecleWarning:
    meta: dict[str, Any] = {"last_name": record.last_name, "first_name": record.first_name}
    if record.json_index is not None:
        meta["index"] = record.json_index  # a JSON entry has no line
    return SiecleWarning(ACCOUNT_KEPT_ELSEWHERE, record.line, record.national_student_id, meta)


def check_student_file(file: SiecleFile | Roster, organization_uai: str, today: date) -> SiecleReport:
    """The rules of the file's format: SIECLE's for an export, the roster's for a CSV or JSON."""
    if isinstance(file, Roster):
        return check_roster(file, today)
    return check_siecle_file(file, organization_uai, today)


@dataclass(frozen=True)
class _Accounts:
    links: list[tuple[str, int]]
    detached: list[tuple[int, int]]
    warnings: list[SiecleWarning]


class ImportStudentsPorts(
    Writes, MemberPorts, HasStudents, HasStudentImports, HasAudit, HasWebhookEvents, Protocol
): ...


class ImportStudents:
    """Nothing of the upload is received before the caller is known to be an administrator of a
    school that manages students. One transaction, all or nothing: any error in the file means
    nothing is written, a crash or a database error in the middle leaves the students exactly as
    they were. One import at a time per organization (409 ``IMPORT_IN_PROGRESS``, a lock the
    database releases with the transaction). An import that would disable more than the
    threshold of the active students is held back (409 ``TOO_MANY_STUDENTS_DISABLED``) until
    confirmed. A dry run computes the same report and writes nothing. A student who changed
    school gets their account back: a new or re-activated student whose INE and birthdate match
    a disabled student of another organization is attached to that student's account, only when
    none of that account's students anywhere is active (an active student elsewhere is never
    taken over), and a re-activated student whose account is now attached to an active student of
    another organization is detached from it. Completed and failed imports are recorded and
    audited, and counted by ``metrics`` once recorded."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[ImportStudentsPorts],
        reader: StudentFileReader,
        cpu: CpuWork,
        clock: Clock,
        disable_threshold: float,
        metrics: ImportMetrics | None = None,
    ) -> None:
        self._uow = uow
        self._reader = reader
        self._cpu = cpu
        self._clock = clock
        self._threshold = disable_threshold
        self._metrics = metrics

    async def __call__(self, caller: Caller | None, command: ImportStudentsCommand) -> ImportReport:
        actor, organization = await self._check_access(caller, command.organization_id)
        filename = None
        file_format: str | None = None
        try:
            upload = await command.receive()
            filename = upload.filename
            today = self._clock.now().date()
            read, report = await self._cpu.run(
                self._read_and_check, upload.stream, organization.uai or "", today
            )
            file_format = read.format
            if report.errors:
                refused = InvalidSiecleFile if file_format == SIECLE_XML else InvalidStudentFile
                skipped = report.skipped if any(e.code == NO_STUDENTS for e in report.errors) else []
                raise refused(report.errors, skipped)
            result = await self._write(actor, organization, command, filename, report, read)
        except ImportInProgress:
            raise
        except DomainError as error:
            if not command.dry_run:
                if isinstance(error, InvalidSiecleFile):
                    file_format = error.file_format if file_format is None else file_format
                await self._record_failure(actor, organization, filename, file_format, error)
                self._count(FAILED)
            raise
        if not command.dry_run:
            self._count(COMPLETED)
        return result

    def _read_and_check(
        self, stream: BinaryIO, organization_uai: str, today: date
    ) -> tuple[ReadUpload, SiecleReport]:
        """One piece of CPU work: a second would wait for a worker thread, and for the interpreter,
        again (a millisecond or more on a busy server, for a school's file)."""
        read = self._reader.read(stream)
        return read, check_student_file(read.file, organization_uai, today)

    def _count(self, status: str) -> None:
        if self._metrics is not None:
            self._metrics.import_finished(status)

    async def _check_access(self, caller: Caller | None, organization_id: int) -> tuple[Actor, Organization]:
        async with self._uow() as uow:
            if caller is None:
                organization = await uow.organizations.get(organization_id)
                if organization is None:
                    raise OrganizationNotFound()
                actor = Actor.cli()
            else:
                access = await require_member(
                    uow, caller, organization_id, admin=True, scope=Scope.STUDENTS_IMPORT
                )
                organization = access.organization
                actor = actor_of(caller)
        if not organization.is_managing_students:
            raise NotManagingStudents()
        if organization.archived_at is not None:
            raise OrganizationArchived()
        return actor, organization

    async def _write(
        self,
        actor: Actor,
        organization: Organization,
        command: ImportStudentsCommand,
        filename: str | None,
        report: SiecleReport,
        read: ReadUpload,
    ) -> ImportReport:
        now = self._clock.now()
        async with self._uow() as uow:
            if not await uow.students.try_lock_imports(organization.id):
                raise ImportInProgress()
            stored = await uow.students.stored_for_import(organization.id)
            plan = await self._cpu.run(plan_import, report.records, stored, len(report.skipped))
            too_many = plan.counts.disabled > self._threshold * plan.active_before
            if too_many and not command.confirm_disable and not command.dry_run:
                raise TooManyStudentsDisabled(
                    meta={"counts": plan.counts.as_dict(), "active_before": plan.active_before}
                )
            accounts = await self._returning_accounts(uow, organization.id, plan)
            result = ImportReport(
                id=None,
                status=COMPLETED,
                dry_run=command.dry_run,
                requires_confirmation=too_many and not command.confirm_disable,
                counts=plan.counts,
                report=report,
                warnings=[*report.warnings, *accounts.warnings],
                format=read.format,
            )
            if command.dry_run:
                return result
            linked = [national_id for national_id, _ in accounts.links]
            ids = await uow.students.insert_many(organization.id, plan.creates, now, ids_of=linked)
            await uow.students.update_many(organization.id, plan.updates, now)
            await uow.students.disable_many(organization.id, plan.disables, now)
            await self._detach(uow, organization.id, accounts.detached, actor, now)
            # An account goes to an arrival: created (its id just returned) or reactivated (stored).
            ids.update((record.national_student_id, student_id) for student_id, record in plan.updates)
            await self._attach(uow, organization.id, accounts.links, ids, actor, now)
            import_id = await uow.student_imports.add(
                organization.id,
                now=now,
                actor_user_id=actor.user_id,
                actor_label=actor.label,
                actor_api_client_id=actor.api_client_id,
                filename=filename,
                file_hash=read.sha256,
                status=COMPLETED,
                counts=plan.counts.as_dict(),
                error_codes=[],
                format=read.format,
            )
            await uow.audit.record(
                AuditEvent(
                    type="STUDENTS_IMPORTED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization.id,
                    target_type="student_import",
                    target_id=import_id,
                    details={**plan.counts.as_dict(), "format": read.format},
                )
            )
            result.id = import_id
            await uow.webhook_events.record(
                student_import_completed(organization.id, import_id, read.format, plan.counts.as_dict(), now)
            )
            await uow.commit()
        return result

    async def _returning_accounts(
        self, uow: ImportStudentsPorts, organization_id: int, plan: _Plan
    ) -> _Accounts:
        if not plan.arrivals and not plan.returning:
            return _Accounts([], [], [])
        elsewhere = await uow.students.accounts_elsewhere(
            organization_id, [record.national_student_id for record in plan.arrivals]
        )
        kept = {user_id for _, _, user_id in plan.returning}
        # Locked until the transaction ends: an import running at another school at the same time
        # waits here, then sees this one's attachments before deciding on the same accounts.
        in_use = await uow.students.lock_accounts(sorted({a.user_id for a in elsewhere} | kept))
        detached, kept_warnings = plan_kept_accounts(organization_id, plan.returning, in_use)
        links, warnings = plan_returning_accounts(organization_id, plan.arrivals, elsewhere, in_use)
        return _Accounts(links, detached, [*kept_warnings, *warnings])

    async def _detach(
        self,
        uow: ImportStudentsPorts,
        organization_id: int,
        pairs: list[tuple[int, int]],
        actor: Actor,
        now: datetime,
    ) -> None:
        await uow.students.detach_many([student_id for student_id, _ in pairs])
        for student_id, user_id in pairs:
            await uow.audit.record(
                AuditEvent(
                    type="STUDENT_DETACHED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="student",
                    target_id=student_id,
                    details={"user_id": user_id, "by": "import", "rule": "account_in_use_elsewhere"},
                )
            )
            await uow.webhook_events.record(student_detached(organization_id, student_id, now))

    async def _attach(
        self,
        uow: ImportStudentsPorts,
        organization_id: int,
        links: list[tuple[str, int]],
        ids: dict[str, int],
        actor: Actor,
        now: datetime,
    ) -> None:
        if not links:
            return
        pairs = [(ids[national_id], user_id) for national_id, user_id in links]
        await uow.students.attach_many(pairs)
        for student_id, user_id in pairs:
            await uow.webhook_events.record(student_linked(organization_id, student_id, user_id, now))
            await uow.audit.record(
                AuditEvent(
                    type="STUDENT_ACCOUNT_ATTACHED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="student",
                    target_id=student_id,
                    details={"rule": "school_change"},
                )
            )

    async def _record_failure(
        self,
        actor: Actor,
        organization: Organization,
        filename: str | None,
        file_format: str | None,
        error: DomainError,
    ) -> None:
        items = error.issues if isinstance(error, InvalidSiecleFile) else []
        codes: list[Any] = sorted({item.code for item in items} or {error.code})
        async with self._uow() as uow:
            import_id = await uow.student_imports.add(
                organization.id,
                now=self._clock.now(),
                actor_user_id=actor.user_id,
                actor_label=actor.label,
                actor_api_client_id=actor.api_client_id,
                filename=filename,
                file_hash=None,
                status=FAILED,
                counts={},
                error_codes=codes,
                format=file_format,
            )
            await uow.audit.record(
                AuditEvent(
                    type="STUDENT_IMPORT_FAILED",
                    actor=actor,
                    occurred_at=self._clock.now(),
                    organization_id=organization.id,
                    target_type="student_import",
                    target_id=import_id,
                    details={"error_codes": codes, "format": file_format},
                )
            )
            await uow.commit()
