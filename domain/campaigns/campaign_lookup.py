"""Finding the campaign a pupil typed the code of."""

from __future__ import annotations

from domain.campaigns.codes import looks_like_campaign_code, normalise_campaign_code
from domain.campaigns.entities import CampaignOverview
from domain.campaigns.errors import CampaignNotFound
from domain.unit_of_work import HasCampaigns


async def campaign_by_code(uow: HasCampaigns, code: str) -> CampaignOverview:
    """Looked up trimmed and upper-cased; a text that cannot be a code is not looked up."""
    if not looks_like_campaign_code(code):
        raise CampaignNotFound()
    found = await uow.campaigns.get_by_code(normalise_campaign_code(code))
    if found is None:
        raise CampaignNotFound()
    return found
