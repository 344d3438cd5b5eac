"""What the lists of campaigns and participations read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.campaigns.entities import CampaignSummary, ParticipantStudent, ParticipationView
from domain.pagination import Page, PageRequest
from infrastructure.db.pagination import paginate
from infrastructure.db.repositories.campaigns import campaign_from_row, participation_from_row
from infrastructure.db.tables import campaign_participations, campaigns, students


class SqlCampaignQueries:
    """What the lists of campaigns and participations read."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def list_for_organization(self, organization_id: int, page: PageRequest) -> Page[CampaignSummary]:
        counts = (
            select(
                campaign_participations.c.campaign_id,
                func.count().label("participations_count"),
            )
            .where(campaign_participations.c.is_preview.is_(False))
            .group_by(campaign_participations.c.campaign_id)
            .subquery()
        )
        query = (
            select(campaigns, func.coalesce(counts.c.participations_count, 0).label("participations_count"))
            .outerjoin(counts, counts.c.campaign_id == campaigns.c.id)
            .where(campaigns.c.organization_id == organization_id)
            .order_by(campaigns.c.created_at.desc(), campaigns.c.id.desc())
        )
        return await paginate(
            self._db,
            query,
            page,
            lambda row: CampaignSummary(campaign_from_row(row), int(row.participations_count)),
        )

    async def list_for_campaign(self, campaign_id: int, page: PageRequest) -> Page[ParticipationView]:
        query = (
            select(
                campaign_participations,
                students.c.first_name,
                students.c.last_name,
                students.c.division,
                students.c.birthdate,
            )
            .outerjoin(students, and_(students.c.id == campaign_participations.c.student_id))
            .where(campaign_participations.c.campaign_id == campaign_id)
            .order_by(campaign_participations.c.created_at, campaign_participations.c.id)
        )

        def view(row: Any) -> ParticipationView:
            student = (
                ParticipantStudent(
                    id=row.student_id,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    division=row.division,
                    birthdate=row.birthdate,
                )
                if row.student_id is not None
                else None
            )
            return ParticipationView(participation_from_row(row), student)

        return await paginate(self._db, query, page, view)
