"""Finding the campaign a pupil typed the code of."""

from __future__ import annotations

from domain.campaigns.codes import looks_like_campaign_code, normalise_campaign_code
from domain.campaigns.entities import CampaignOverview
from domain.campaigns.errors import CampaignNotFound
from domain.unit_of_work import HasCampaigns


def stored_campaign_code(code: str) -> str:
    """The typed code as codes are stored, trimmed and upper-cased; ``CampaignNotFound`` for a text
    that cannot be a code, which is not looked up."""
    if not looks_like_campaign_code(code):
        raise CampaignNotFound()
    return normalise_campaign_code(code)


async def campaign_by_code(uow: HasCampaigns, code: str) -> CampaignOverview:
    """The campaign of a typed code (``stored_campaign_code``)."""
    found = await uow.campaigns.get_by_code(stored_campaign_code(code))
    if found is None:
        raise CampaignNotFound()
    return found
