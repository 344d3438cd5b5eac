"""A logged-in pupil attaches their existing account to their student record ("I already have an
account"), by typing their identity or, with nothing typed, automatically by INE."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Protocol

from domain.access import user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.campaigns.entities import Campaign
from domain.clock import Clock
from domain.errors import DomainError
from domain.joining.decisions import (
    ENDPOINT_LINKS,
    OUTCOME_CONFLICT,
    RULE_AUTOMATIC,
    account_refusal,
    match_record,
)
from domain.joining.errors import (
    AccountBelongsToAnotherStudent,
    OrganizationMemberCannotLink,
    StudentAlreadyLinked,
    StudentNotFound,
    UserAlreadyLinkedInOrganization,
)
from domain.joining.matching import MatchDecision
from domain.joining.steps import (
    MatchGuard,
    TypedStudent,
    identify,
    link_conflict,
    restricted_campaign,
)
from domain.notifications.webhooks import student_linked
from domain.organizations.entities import Organization
from domain.students.entities import Student
from domain.unit_of_work import (
    HasAudit,
    HasCampaigns,
    HasMatchDecisions,
    HasMemberships,
    HasStudentLinks,
    HasStudents,
    HasUsers,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)

RefusalWithReason = UserAlreadyLinkedInOrganization | AccountBelongsToAnotherStudent


@dataclass(frozen=True)
class LinkStudentAccountCommand:
    campaign_code: str
    student: TypedStudent | None  # None: the automatic attach by INE and birthdate
    client_address: str


@dataclass(frozen=True)
class StudentLink:
    student: Student
    created: bool  # False when the account was attached to that student already (200)


class LinkStudentAccountPorts(
    Writes,
    HasCampaigns,
    HasMemberships,
    HasStudentLinks,
    HasStudents,
    HasMatchDecisions,
    HasUsers,
    HasAudit,
    HasWebhookEvents,
    Protocol,
): ...


class LinkStudentAccount:
    """Attaches the logged-in account to the student the typed identity designates (same matching,
    same brute-force guard as ``student-matches``), or, with an empty body, to the active student of
    the organization with the INE and birthdate of a student the account is attached to elsewhere
    (none → 404). Refused with 403 ``ORGANIZATION_MEMBER_CANNOT_LINK`` to a member of the
    organization (a teacher cannot pose as a pupil). The same account and student again → 200.
    The student attached to another account → 409 ``STUDENT_ALREADY_LINKED`` (``R31``/``R32``), or a
    student of the same INE attached to another account elsewhere (``R11``/``R12``); the account
    attached to another active student of the organization → 409
    ``USER_ALREADY_LINKED_IN_ORGANIZATION`` (``R70``, also enforced by a unique index); the account
    attached only to students with neither that INE nor that birthdate → 422
    ``ACCOUNT_BELONGS_TO_ANOTHER_STUDENT`` (``R90``)."""

    def __init__(
        self, uow: UnitOfWorkFactory[LinkStudentAccountPorts], guard: MatchGuard, clock: Clock
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._clock = clock

    async def __call__(self, viewer: Viewer, command: LinkStudentAccountCommand) -> StudentLink:
        async with AsyncExitStack() as held:
            return await self._attempt(viewer, command, held)

    async def _attempt(
        self, viewer: Viewer, command: LinkStudentAccountCommand, held: AsyncExitStack
    ) -> StudentLink:
        # The automatic attach types nothing, so it guesses nothing: it is not counted.
        keys = await self._guard.admit(command.client_address) if command.student is not None else []
        now = self._clock.now()
        user_id = viewer.user.id
        async with self._uow() as uow:
            campaign, organization = await restricted_campaign(uow, command.campaign_code)
            membership = await uow.memberships.find(organization.id, user_id)
            if membership is not None and membership.is_active:
                raise OrganizationMemberCannotLink()
            if command.student is not None:
                keys += await self._guard.aim(uow, organization, command.campaign_code, command.student, held)
            decision: MatchDecision | None = None
            if command.student is None:
                target = await self._automatic_target(uow, organization, user_id)
            else:
                found = await identify(uow, organization, command.student)
                decision, target = found.decision, found.student
            student = await uow.student_links.lock(target.id) if target is not None else None
            if student is None or not student.is_active:
                if decision is None:
                    outcome, rule = "NOT_FOUND", RULE_AUTOMATIC
                elif target is not None:
                    outcome, rule = "NOT_FOUND", "student_disabled"  # disabled since the candidates were read
                else:
                    outcome, rule = decision.outcome, decision.rule
                await uow.match_decisions.record(
                    match_record(campaign.id, ENDPOINT_LINKS, now, decision, outcome=outcome, rule=rule)
                )
                await uow.commit()
                if command.student is not None:
                    await self._guard.count_not_found(keys)
                raise StudentNotFound()
            return await self._attach(uow, viewer, campaign, organization, student, decision)

    async def _attach(
        self,
        uow: LinkStudentAccountPorts,
        viewer: Viewer,
        campaign: Campaign,
        organization: Organization,
        student: Student,
        decision: MatchDecision | None,
    ) -> StudentLink:
        now = self._clock.now()
        user_id = viewer.user.id

        async def refused(error: StudentAlreadyLinked | RefusalWithReason) -> DomainError:
            """The refusal, once its decision is recorded and committed (nothing else was written)."""
            await uow.match_decisions.record(
                match_record(
                    campaign.id,
                    ENDPOINT_LINKS,
                    now,
                    decision,
                    outcome=OUTCOME_CONFLICT,
                    student_id=student.id,
                    reason=error.reason,
                )
            )
            await uow.commit()
            return error

        if student.user_id == user_id:
            await uow.match_decisions.record(
                match_record(campaign.id, ENDPOINT_LINKS, now, decision, student_id=student.id)
            )
            await uow.commit()
            return StudentLink(student, created=False)
        conflict = await link_conflict(uow, student, endpoint=ENDPOINT_LINKS, own_user_id=user_id)
        if conflict is not None:
            raise await refused(conflict)
        refusal = account_refusal(
            student,
            attached_here=await uow.student_links.active_of_user(organization.id, user_id),
            attached_students=await uow.student_links.of_user(user_id),
        )
        if refusal is not None:
            raise await refused(refusal)
        if not await uow.students.attach(student.id, user_id, now):
            # Not reachable while the row lock holds; the conditional update still guards it.
            fresh = await uow.student_links.get(student.id)
            late = await link_conflict(uow, fresh, endpoint=ENDPOINT_LINKS) if fresh else None
            raise late or StudentNotFound()
        await uow.match_decisions.record(
            match_record(campaign.id, ENDPOINT_LINKS, now, decision, student_id=student.id)
        )
        await uow.audit.record(
            AuditEvent(
                type="STUDENT_ATTACHED",
                actor=user_actor(viewer),
                occurred_at=now,
                organization_id=organization.id,
                target_type="student",
                target_id=student.id,
                details={"user_id": user_id, "via": "manual" if decision is not None else "automatic"},
            )
        )
        await uow.webhook_events.record(student_linked(organization.id, student.id, user_id, now))
        await uow.commit()
        return StudentLink(student, created=True)

    async def _automatic_target(
        self, uow: LinkStudentAccountPorts, organization: Organization, user_id: int
    ) -> Student | None:
        """The active student of this organization with the INE and birthdate of a student the account
        is attached to; the account's own active student here when it has one already."""
        attached = await uow.student_links.of_user(user_id)
        for student in attached:
            if student.organization_id == organization.id and student.is_active:
                return student
        for student in attached:
            if student.organization_id != organization.id:
                found = await uow.student_links.active_by_national_id(
                    organization.id, student.national_student_id, student.birthdate
                )
                if found is not None:
                    return found
        return None
