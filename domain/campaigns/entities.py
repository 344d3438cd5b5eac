"""Campaigns (a test a teacher hands out by its code) and participations in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.organizations.entities import Organization


class CampaignType(StrEnum):
    ASSESSMENT = "ASSESSMENT"
    PROFILES_COLLECTION = "PROFILES_COLLECTION"


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    organization_id: int
    code: str
    name: str
    type: CampaignType
    creator_id: int | None
    created_at: datetime
    archived_at: datetime | None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True, slots=True)
class CampaignOverview:
    """A campaign with its organization, as a code opens it."""

    campaign: Campaign
    organization: Organization

    @property
    def is_restricted(self) -> bool:
        """Joining needs to be found among the organization's imported students."""
        return self.organization.is_managing_students


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """A campaign as its organization's list shows it; previews are not counted."""

    campaign: Campaign
    participations_count: int


@dataclass(frozen=True, slots=True)
class Participation:
    id: int
    campaign_id: int
    user_id: int
    student_id: int | None
    is_preview: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ParticipantStudent:
    """The student a participation was started as (restricted campaigns only)."""

    id: int
    first_name: str
    last_name: str
    division: str
    birthdate: date


@dataclass(frozen=True, slots=True)
class ParticipationView:
    participation: Participation
    student: ParticipantStudent | None
