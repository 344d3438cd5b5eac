"""Anyone reads a campaign by its code: the landing page of a pupil who typed it."""

from __future__ import annotations

from typing import Protocol

from domain.campaigns.campaign_lookup import campaign_by_code
from domain.campaigns.entities import CampaignOverview
from domain.unit_of_work import HasCampaigns, Reads, UnitOfWorkFactory


class ReadCampaignPorts(Reads, HasCampaigns, Protocol): ...


class ReadCampaign:
    """The code is read case-insensitively, surrounding spaces trimmed; unknown → 404
    ``CAMPAIGN_NOT_FOUND``. Archived campaigns are answered, flagged; ``is_restricted`` when the
    organization manages students (joining then needs to be found among them)."""

    def __init__(self, uow: UnitOfWorkFactory[ReadCampaignPorts]) -> None:
        self._uow = uow

    async def __call__(self, code: str) -> CampaignOverview:
        async with self._uow() as uow:
            return await campaign_by_code(uow, code)
