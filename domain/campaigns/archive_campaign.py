"""A member archives a campaign: it takes no new participation."""

from __future__ import annotations

from typing import Protocol

from domain.access import MemberPorts, require_member, user_actor
from domain.accounts.entities import Viewer
from domain.audit.events import AuditEvent
from domain.campaigns.entities import Campaign
from domain.campaigns.errors import CampaignNotFound
from domain.clock import Clock
from domain.unit_of_work import HasAudit, HasCampaigns, UnitOfWorkFactory, Writes


async def campaign_of_organization(uow: HasCampaigns, organization_id: int, campaign_id: int) -> Campaign:
    """A campaign of another organization is not found (404, never a hint that it exists)."""
    campaign = await uow.campaigns.get(campaign_id)
    if campaign is None or campaign.organization_id != organization_id:
        raise CampaignNotFound()
    return campaign


class ArchiveCampaignPorts(Writes, MemberPorts, HasCampaigns, HasAudit, Protocol): ...


class ArchiveCampaign:
    """Any member; idempotent (archiving an archived campaign changes nothing, and answers it)."""

    def __init__(self, uow: UnitOfWorkFactory[ArchiveCampaignPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, viewer: Viewer, organization_id: int, campaign_id: int) -> Campaign:
        now = self._clock.now()
        async with self._uow() as uow:
            await require_member(uow, viewer, organization_id)
            campaign = await campaign_of_organization(uow, organization_id, campaign_id)
            if campaign.is_archived:
                return campaign
            await uow.campaigns.archive(campaign.id, now)
            await uow.audit.record(
                AuditEvent(
                    type="CAMPAIGN_ARCHIVED",
                    actor=user_actor(viewer),
                    occurred_at=now,
                    organization_id=organization_id,
                    target_type="campaign",
                    target_id=campaign.id,
                )
            )
            archived = await uow.campaigns.get(campaign.id)
            assert archived is not None
            await uow.commit()
        return archived
