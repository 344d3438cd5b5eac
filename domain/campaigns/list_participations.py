"""The participations of a campaign, as the organization's members see them."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, require_member
from domain.api_clients.entities import Scope
from domain.campaigns.archive_campaign import campaign_of_organization
from domain.campaigns.entities import ParticipationView
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasCampaignQueries, HasCampaigns, Reads, UnitOfWorkFactory


class ListParticipationsPorts(Reads, MemberPorts, HasCampaigns, HasCampaignQueries, Protocol): ...


class ListParticipations:
    """Oldest first, with the student each was started as; previews are listed, flagged."""

    def __init__(self, uow: UnitOfWorkFactory[ListParticipationsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, campaign_id: int, page: PageRequest
    ) -> Page[ParticipationView]:
        async with self._uow() as uow:
            await require_member(uow, caller, organization_id, scope=Scope.CAMPAIGNS_READ)
            campaign = await campaign_of_organization(uow, organization_id, campaign_id)
            return await uow.campaign_queries.list_for_campaign(campaign.id, page)
