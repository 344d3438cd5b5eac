"""An administrator of the organization detaches an account from a student."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.joining.errors import StudentNotFound
from domain.notifications.webhooks import student_detached
from domain.unit_of_work import (
    HasAudit,
    HasStudentLinks,
    HasStudents,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)


class DetachStudentAccountPorts(
    Writes, MemberPorts, HasStudentLinks, HasStudents, HasAudit, HasWebhookEvents, Protocol
): ...


class DetachStudentAccount:
    """Administrators only. A student of another organization is not found (404). Idempotent: a
    student with no account stays so. The account keeps existing; the pupil can attach again."""

    def __init__(self, uow: UnitOfWorkFactory[DetachStudentAccountPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, organization_id: int, student_id: int) -> None:
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id, admin=True)
            student = await uow.student_links.lock(student_id)
            if student is None or student.organization_id != organization_id:
                raise StudentNotFound()
            if student.user_id is None:
                return
            await uow.students.detach(student.id, now)
            await uow.audit.record(
                AuditEvent(
                    type="STUDENT_DETACHED",
                    actor=user_actor(viewer),
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="student",
                    target_id=student.id,
                    details={"user_id": student.user_id, "by": "admin"},
                )
            )
            await uow.webhook_events.record(student_detached(organization_id, student.id, now))
            await uow.commit()
