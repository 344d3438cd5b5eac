"""What the lists of campaigns and participations read: nothing a rule decides on."""

from __future__ import annotations

from typing import Protocol

from domain.campaigns.entities import CampaignSummary, ParticipationView
from domain.pagination import Page, PageRequest


class CampaignQueries(Protocol):
    """What the lists of campaigns and participations read."""

    async def list_for_organization(self, organization_id: int, page: PageRequest) -> Page[CampaignSummary]:
        """Newest first, with the participations that are not previews counted."""
        ...

    async def list_for_campaign(self, campaign_id: int, page: PageRequest) -> Page[ParticipationView]: ...
