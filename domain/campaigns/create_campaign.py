"""A member of an organization creates a campaign and gets the code to hand out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.campaigns.codes import generate_campaign_code
from domain.campaigns.entities import Campaign, CampaignType
from domain.campaigns.errors import CampaignCodeAlreadyUsed
from domain.campaigns.ports import NewCampaign
from domain.clock import Clock
from domain.errors import Invalid
from domain.organizations.errors import OrganizationArchived
from domain.unit_of_work import HasAudit, HasCampaigns, UnitOfWorkFactory, Writes

MAX_CODE_ATTEMPTS: Final = 20


@dataclass(frozen=True)
class CreateCampaignCommand:
    organization_id: int
    name: str
    type: CampaignType


class CreateCampaignPorts(Writes, MemberPorts, HasCampaigns, HasAudit, Protocol): ...


class CreateCampaign:
    """Any active member may create one, not in an archived organization (409
    ``ORGANIZATION_ARCHIVED``). The code (6 letters, 3 digits, unambiguous alphabets) is unique by
    the unique index: a code already taken is drawn again, never checked first."""

    def __init__(
        self,
        uow: UnitOfWorkFactory[CreateCampaignPorts],
        clock: Clock,
        generate_code: Callable[[], str] = generate_campaign_code,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._generate_code = generate_code

    async def __call__(self, viewer: Viewer, command: CreateCampaignCommand) -> Campaign:
        name = command.name.strip()
        if not name:
            raise Invalid(meta={"field": "name"})
        now = self._clock.now()
        async with self._uow() as uow:
            access = await require_member(uow, viewer, command.organization_id)
            if access.organization.archived_at is not None:
                raise OrganizationArchived()
            for _ in range(MAX_CODE_ATTEMPTS):
                try:
                    campaign = await uow.campaigns.add(
                        NewCampaign(
                            organization_id=access.organization.id,
                            code=self._generate_code(),
                            name=name,
                            type=command.type,
                            creator_id=viewer.user.id,
                            created_at=now,
                        )
                    )
                    break
                except CampaignCodeAlreadyUsed:
                    continue
            else:
                raise CampaignCodeAlreadyUsed()
            await uow.audit.record(
                AuditEvent(
                    type="CAMPAIGN_CREATED",
                    actor=user_actor(viewer),
                    occurred_at=now,
                    organization_id=campaign.organization_id,
                    target_type="campaign",
                    target_id=campaign.id,
                    details={"code": campaign.code, "type": campaign.type.value},
                )
            )
            await uow.commit()
        return campaign
