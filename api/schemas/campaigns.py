"""Campaigns, and joining them: the bodies the two front-ends send and read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from api.schemas.accounts import RequestModel, UserOut
from domain.campaigns.entities import (
    Campaign,
    CampaignOverview,
    CampaignSummary,
    Participation,
    ParticipationView,
)

CampaignTypeName = Literal["ASSESSMENT", "PROFILES_COLLECTION"]


def _date_text(value: object) -> object:
    if not isinstance(value, str | date):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


# JSON has no date type: a ``YYYY-MM-DD`` string is read as one, even in a strict model (and only that).
Birthdate = Annotated[date, BeforeValidator(_date_text), Field(strict=False, description="YYYY-MM-DD")]
TypedName = Field(min_length=1, max_length=255)


class CreateCampaignRequest(RequestModel):
    name: str = Field(min_length=1, max_length=255)
    type: CampaignTypeName

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Rentrée 2026 - 2nde", "type": "ASSESSMENT"}]}
    )


class CampaignOut(BaseModel):
    id: int
    code: str
    name: str
    type: CampaignTypeName
    created_at: datetime
    archived_at: datetime | None

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignOut:
        return cls(
            id=campaign.id,
            code=campaign.code,
            name=campaign.name,
            type=campaign.type.value,
            created_at=campaign.created_at,
            archived_at=campaign.archived_at,
        )


class CampaignListItemOut(CampaignOut):
    participations_count: int = Field(description="Participations, previews left out")

    @classmethod
    def of_summary(cls, summary: CampaignSummary) -> CampaignListItemOut:
        return cls(
            **CampaignOut.of(summary.campaign).model_dump(),
            participations_count=summary.participations_count,
        )


class ParticipantOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    division: str


class CampaignParticipationOut(BaseModel):
    id: int
    student: ParticipantOut | None = Field(
        description="null for a preview or a campaign that is not restricted"
    )
    user_id: int
    is_preview: bool
    created_at: datetime

    @classmethod
    def of(cls, view: ParticipationView) -> CampaignParticipationOut:
        student = view.student
        return cls(
            id=view.participation.id,
            student=ParticipantOut(
                id=student.id,
                first_name=student.first_name,
                last_name=student.last_name,
                division=student.division,
            )
            if student
            else None,
            user_id=view.participation.user_id,
            is_preview=view.participation.is_preview,
            created_at=view.participation.created_at,
        )


class CampaignOrganizationOut(BaseModel):
    name: str
    type: Literal["SCO", "SUP", "PRO"]


class PublicCampaignOut(BaseModel):
    code: str
    name: str
    type: CampaignTypeName
    organization: CampaignOrganizationOut
    is_restricted: bool = Field(description="Joining needs to be found among the school's imported students")
    is_archived: bool

    @classmethod
    def of(cls, overview: CampaignOverview) -> PublicCampaignOut:
        campaign = overview.campaign
        return cls(
            code=campaign.code,
            name=campaign.name,
            type=campaign.type.value,
            organization=CampaignOrganizationOut(
                name=overview.organization.name, type=overview.organization.type.value
            ),
            is_restricted=overview.is_restricted,
            is_archived=campaign.is_archived,
        )


class StudentIdentityRequest(RequestModel):
    first_name: str = TypedName
    last_name: str = TypedName
    birthdate: Birthdate

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"first_name": "Alan", "last_name": "Turing", "birthdate": "2002-06-23"}]
        }
    )


class StudentMatchOut(BaseModel):
    username_suggestion: str = Field(description="The username the account will get with `login: username`")


class StudentAccountRequest(RequestModel):
    first_name: str = TypedName
    last_name: str = TypedName
    birthdate: Birthdate
    login: Literal["username", "email"] = Field(
        description="`username`: a username is generated from the imported record; "
        "`email`: log in with `email`"
    )
    email: str | None = Field(default=None, max_length=320, description="Required with `login: email`")
    password: str = Field(max_length=1024)
    accept_terms: bool
    locale: Literal["fr", "en"] = "fr"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "first_name": "Alan",
                    "last_name": "Turing",
                    "birthdate": "2002-06-23",
                    "login": "username",
                    "password": "Enigma1912",
                    "accept_terms": True,
                },
                {
                    "first_name": "Camille",
                    "last_name": "Abba",
                    "birthdate": "2006-02-25",
                    "login": "email",
                    "email": "camille.abba@example.fr",
                    "password": "Camille2006",
                    "accept_terms": True,
                },
            ]
        }
    )


class StudentAccountOut(BaseModel):
    user: UserOut
    username: str | None = Field(description="The generated username; null for an e-mail account")
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int
    refresh_token: str


class StudentLinkRequest(RequestModel):
    """All three fields, or none (an empty body): the automatic attach by INE and birthdate."""

    first_name: str | None = Field(default=None, min_length=1, max_length=255)
    last_name: str | None = Field(default=None, min_length=1, max_length=255)
    birthdate: Birthdate | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"first_name": "Alan", "last_name": "Turing", "birthdate": "2002-06-23"}, {}]
        }
    )

    @model_validator(mode="after")
    def _all_or_none(self) -> StudentLinkRequest:
        given = [self.first_name is not None, self.last_name is not None, self.birthdate is not None]
        if any(given) and not all(given):
            raise ValueError(
                "first_name, last_name and birthdate go together (or none, for the automatic attach)"
            )
        return self

    @property
    def is_empty(self) -> bool:
        return self.first_name is None


class StudentLinkOut(BaseModel):
    student_id: int
    organization_id: int


class ParticipationOut(BaseModel):
    id: int
    campaign_code: str
    is_preview: bool
    created_at: datetime

    @classmethod
    def of(cls, participation: Participation, campaign: Campaign) -> ParticipationOut:
        return cls(
            id=participation.id,
            campaign_code=campaign.code,
            is_preview=participation.is_preview,
            created_at=participation.created_at,
        )
