"""Step 5: campaigns of an organization (its members, and API clients reading them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from api.auth import CampaignsReader, CurrentViewer
from api.errors import problems
from api.organization_access import MEMBERS_ONLY, members_or_client
from api.pagination import PageOut, Paging
from api.routers import API_PREFIX, CLIENT_PROBLEMS
from api.routers import MEMBER_PROBLEMS as MEMBER
from api.schemas.campaigns import (
    CampaignListItemOut,
    CampaignOut,
    CampaignParticipationOut,
    CreateCampaignRequest,
)
from api.use_cases import use_case
from domain.api_clients.entities import Scope
from domain.campaigns.archive_campaign import ArchiveCampaign
from domain.campaigns.create_campaign import CreateCampaign, CreateCampaignCommand
from domain.campaigns.entities import CampaignType
from domain.campaigns.list_campaigns import ListCampaigns
from domain.campaigns.list_participations import ListParticipations

router = APIRouter(prefix=API_PREFIX)

ORG_CAMPAIGNS = "/organizations/{org_id}/campaigns"


@router.post(
    ORG_CAMPAIGNS,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_campaign",
    dependencies=[MEMBERS_ONLY],
    summary="Create a campaign (its code is generated)",
    tags=["campaigns"],
    description="Any member. The code is 6 letters and 3 digits without ambiguous characters.",
    responses=problems(*MEMBER, "ORGANIZATION_ARCHIVED", "VALIDATION_ERROR"),
)
async def create_campaign(
    create_campaign: Annotated[CreateCampaign, Depends(use_case(CreateCampaign))],
    org_id: int,
    body: CreateCampaignRequest,
    viewer: CurrentViewer,
) -> CampaignOut:
    campaign = await create_campaign(
        viewer, CreateCampaignCommand(organization_id=org_id, name=body.name, type=CampaignType(body.type))
    )
    return CampaignOut.of(campaign)


@router.get(
    ORG_CAMPAIGNS,
    operation_id="list_campaigns",
    dependencies=[members_or_client(Scope.CAMPAIGNS_READ)],
    summary="Campaigns of the organization, newest first",
    tags=["campaigns"],
    responses=problems(*MEMBER, *CLIENT_PROBLEMS, "VALIDATION_ERROR"),
)
async def list_campaigns(
    list_campaigns: Annotated[ListCampaigns, Depends(use_case(ListCampaigns))],
    org_id: int,
    caller: CampaignsReader,
    paging: Paging,
) -> PageOut[CampaignListItemOut]:
    page = await list_campaigns(caller, org_id, paging)
    return PageOut.of(page, CampaignListItemOut.of_summary)


@router.post(
    ORG_CAMPAIGNS + "/{campaign_id}/archive",
    operation_id="archive_campaign",
    dependencies=[MEMBERS_ONLY],
    summary="Archive a campaign (idempotent)",
    tags=["campaigns"],
    responses=problems(*MEMBER, "CAMPAIGN_NOT_FOUND"),
)
async def archive_campaign(
    archive_campaign: Annotated[ArchiveCampaign, Depends(use_case(ArchiveCampaign))],
    org_id: int,
    campaign_id: int,
    viewer: CurrentViewer,
) -> CampaignOut:
    return CampaignOut.of(await archive_campaign(viewer, org_id, campaign_id))


@router.get(
    ORG_CAMPAIGNS + "/{campaign_id}/participations",
    operation_id="list_campaign_participations",
    dependencies=[members_or_client(Scope.CAMPAIGNS_READ)],
    summary="Participations of a campaign, oldest first",
    description="Previews are listed, flagged `is_preview`, and left out of `participations_count`.",
    tags=["campaigns"],
    responses=problems(*MEMBER, *CLIENT_PROBLEMS, "CAMPAIGN_NOT_FOUND", "VALIDATION_ERROR"),
)
async def list_campaign_participations(
    list_participations: Annotated[ListParticipations, Depends(use_case(ListParticipations))],
    org_id: int,
    campaign_id: int,
    caller: CampaignsReader,
    paging: Paging,
) -> PageOut[CampaignParticipationOut]:
    page = await list_participations(caller, org_id, campaign_id, paging)
    return PageOut.of(page, CampaignParticipationOut.of)
