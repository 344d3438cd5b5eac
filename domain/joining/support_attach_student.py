"""Support attaches an account to a student, or re-attaches it to the right one."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.joining.errors import StudentNotFound, UserNotFound
from domain.joining.ports import LinkedAccount, SupportStudentView
from domain.notifications.webhooks import student_detached, student_linked
from domain.unit_of_work import (
    HasAudit,
    HasOrganizations,
    HasStudentLinks,
    HasStudents,
    HasUsers,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)


class SupportAttachStudentPorts(
    Writes,
    HasOrganizations,
    HasStudentLinks,
    HasStudents,
    HasUsers,
    HasAudit,
    HasWebhookEvents,
    Protocol,
): ...


class SupportAttachStudent:
    """SUPPORT role. Replaces whatever account the student had (the previous one is named in the
    audit event). Refused with 409 ``USER_ALREADY_LINKED_IN_ORGANIZATION`` when the account is
    attached to another active student of the organization (unique index): detach that one first."""

    def __init__(self, uow: UnitOfWorkFactory[SupportAttachStudentPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, student_id: int, user_id: int) -> SupportStudentView:
        actor = require_support(viewer)
        now = self._clock.now()
        async with self._uow() as uow:
            student = await uow.student_links.lock(student_id)
            if student is None:
                raise StudentNotFound()
            user = await uow.users.get(user_id)
            if user is None:
                raise UserNotFound()
            if student.user_id != user.id:
                await uow.students.replace_link(student.id, user.id, now)
                await uow.audit.record(
                    AuditEvent(
                        type="STUDENT_ATTACHED",
                        actor=actor,
                        occurred_at=now,
                        organization_id=student.organization_id,
                        target_type="student",
                        target_id=student.id,
                        details={"user_id": user.id, "previous_user_id": student.user_id, "via": "support"},
                    )
                )
                if student.user_id is not None:
                    await uow.webhook_events.record(
                        student_detached(student.organization_id, student.id, now)
                    )
                await uow.webhook_events.record(
                    student_linked(student.organization_id, student.id, user.id, now)
                )
            organization = await uow.organizations.get(student.organization_id)
            assert organization is not None
            await uow.commit()
        return SupportStudentView(
            student=dataclasses.replace(student, user_id=user.id),
            account=LinkedAccount(user.id, user.username, user.email),
            organization_name=organization.name,
            organization_uai=organization.uai,
        )
