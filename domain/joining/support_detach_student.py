"""Support detaches an account from a student."""

from __future__ import annotations

from typing import Protocol

from domain.access import require_support
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


class SupportDetachStudentPorts(
    Writes, HasStudentLinks, HasStudents, HasAudit, HasWebhookEvents, Protocol
): ...


class SupportDetachStudent:
    """SUPPORT role; idempotent (a student without account stays so). The account is kept."""

    def __init__(self, uow: UnitOfWorkFactory[SupportDetachStudentPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, student_id: int) -> None:
        actor = require_support(viewer)
        now = self._clock.now()
        async with self._uow() as uow:
            student = await uow.student_links.lock(student_id)
            if student is None:
                raise StudentNotFound()
            if student.user_id is None:
                return
            await uow.students.detach(student.id, now)
            await uow.audit.record(
                AuditEvent(
                    type="STUDENT_DETACHED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=student.organization_id,
                    target_type="student",
                    target_id=student.id,
                    details={"user_id": student.user_id, "by": "support"},
                )
            )
            await uow.webhook_events.record(student_detached(student.organization_id, student.id, now))
            await uow.commit()
