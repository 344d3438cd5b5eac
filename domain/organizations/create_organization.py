"""Support creates an organization (from the API or the command line)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from domain.access import require_support
from domain.accounts.entities import Viewer
from domain.accounts.errors import InvalidEmail
from domain.audit.events import AuditEvent
from domain.clock import Clock
from domain.organizations.email_addresses import normalise_email
from domain.organizations.entities import Organization, OrganizationType
from domain.organizations.errors import InvalidUai
from domain.organizations.ports import NewOrganization
from domain.unit_of_work import HasAudit, HasOrganizations, UnitOfWorkFactory, Writes

UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")


@dataclass(frozen=True)
class CreateOrganizationCommand:
    name: str
    type: OrganizationType
    uai: str | None
    email: str | None
    is_managing_students: bool


def normalise_uai(uai: str | None, type_: OrganizationType) -> str | None:
    """UAI: 7 digits and a letter, stored upper-case; required for a secondary school (SCO)."""
    value = (uai or "").strip().upper() or None
    if value is None:
        if type_ is OrganizationType.SCO:
            raise InvalidUai(meta={"field": "uai"})
        return None
    if not UAI_PATTERN.match(value):
        raise InvalidUai(meta={"field": "uai"})
    return value


class CreateOrganizationPorts(Writes, HasOrganizations, HasAudit, Protocol): ...


class CreateOrganization:
    """The UAI is unique (409 ``UAI_ALREADY_USED``, enforced by a unique index)."""

    def __init__(self, uow: UnitOfWorkFactory[CreateOrganizationPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer | None, command: CreateOrganizationCommand) -> Organization:
        actor = require_support(viewer)
        uai = normalise_uai(command.uai, command.type)
        email = None
        if command.email:
            email = normalise_email(command.email)
            if email is None:
                raise InvalidEmail(meta={"field": "email"})
        now = self._clock.now()
        async with self._uow() as uow:
            organization = await uow.organizations.add(
                NewOrganization(
                    name=command.name.strip(),
                    type=command.type,
                    uai=uai,
                    email=email,
                    is_managing_students=command.is_managing_students,
                    created_at=now,
                )
            )
            await uow.audit.record(
                AuditEvent(
                    type="ORGANIZATION_CREATED",
                    actor=actor,
                    occurred_at=now,
                    organization_id=organization.id,
                    target_type="organization",
                    target_id=organization.id,
                    details={
                        "type": command.type.value,
                        "is_managing_students": command.is_managing_students,
                    },
                )
            )
            await uow.commit()
        return organization
