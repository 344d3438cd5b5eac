from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.campaigns.entities import (
    Campaign,
    CampaignOverview,
    CampaignType,
    Participation,
)


@dataclass(frozen=True, slots=True)
class NewCampaign:
    organization_id: int
    code: str
    name: str
    type: CampaignType
    creator_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewParticipation:
    campaign_id: int
    user_id: int
    student_id: int | None
    is_preview: bool
    created_at: datetime


class CampaignRepository(Protocol):
    async def add(self, campaign: NewCampaign) -> Campaign:
        """Raises ``CampaignCodeAlreadyUsed`` when the unique index refuses the code."""
        ...

    async def get(self, campaign_id: int) -> Campaign | None: ...

    async def get_by_code(self, code: str) -> CampaignOverview | None:
        """By the code as stored (upper-case), with its organization (one query: every joining
        request starts here)."""
        ...

    async def archive(self, campaign_id: int, now: datetime) -> None:
        """Sets ``archived_at`` unless it is set already."""
        ...


class ParticipationRepository(Protocol):
    async def find(self, campaign_id: int, user_id: int) -> Participation | None: ...

    async def add(self, participation: NewParticipation) -> Participation | None:
        """None when the account already has a participation in the campaign (unique index)."""
        ...
