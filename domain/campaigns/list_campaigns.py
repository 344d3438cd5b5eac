"""The campaigns of an organization, as its members see them."""

from __future__ import annotations

from typing import Protocol

from domain.access import Caller, MemberPorts, require_member
from domain.api_clients.entities import Scope
from domain.campaigns.entities import CampaignSummary
from domain.pagination import Page, PageRequest
from domain.unit_of_work import HasCampaignQueries, Reads, UnitOfWorkFactory


class ListCampaignsPorts(Reads, MemberPorts, HasCampaignQueries, Protocol): ...


class ListCampaigns:
    """Newest first, archived ones included, each with its participations count (previews left out)."""

    def __init__(self, uow: UnitOfWorkFactory[ListCampaignsPorts]) -> None:
        self._uow = uow

    async def __call__(
        self, caller: Caller, organization_id: int, page: PageRequest
    ) -> Page[CampaignSummary]:
        async with self._uow() as uow:
            await require_member(uow, caller, organization_id, scope=Scope.CAMPAIGNS_READ)
            return await uow.campaign_queries.list_for_organization(organization_id, page)
