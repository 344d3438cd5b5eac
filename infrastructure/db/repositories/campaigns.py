"""Campaigns, participations, and the record of identity-matching decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.campaigns.entities import (
    Campaign,
    CampaignOverview,
    CampaignType,
    Participation,
)
from domain.campaigns.errors import CampaignCodeAlreadyUsed
from domain.campaigns.ports import NewCampaign, NewParticipation
from domain.joining.ports import RecordedMatch
from infrastructure.db.direct_read import ByName
from infrastructure.db.grouped_insert import GroupedInsert
from infrastructure.db.integrity import insert_unless_taken, violates
from infrastructure.db.repositories.organizations import organization_from_row
from infrastructure.db.tables import (
    campaign_participations,
    campaigns,
    identity_match_decisions,
    organizations,
)


def campaign_from_row(row: Any) -> Campaign:
    return Campaign(
        id=row.id,
        organization_id=row.organization_id,
        code=row.code,
        name=row.name,
        type=CampaignType(row.type),
        creator_id=row.creator_id,
        created_at=row.created_at,
        archived_at=row.archived_at,
    )


CAMPAIGN_BY_CODE = (
    select(campaigns, *(column.label(f"org_{column.name}") for column in organizations.c))
    .join(organizations, organizations.c.id == campaigns.c.organization_id)
    .where(campaigns.c.code == bindparam("code"))
)
"""The campaign of the stored code ``code`` with its organization's columns (``org_`` + name): read
alone, and as the first part of the joining snapshots."""
_BY_CODE_AT = {name: position for position, name in enumerate(CAMPAIGN_BY_CODE.selected_columns.keys())}
_CAMPAIGN_AT = {column.name: _BY_CODE_AT[column.name] for column in campaigns.c}
_ORGANIZATION_AT = {column.name: _BY_CODE_AT[f"org_{column.name}"] for column in organizations.c}


def leads_with_campaign_by_code(statement: Any) -> bool:
    """Whether the rows of ``statement`` begin with the columns of ``CAMPAIGN_BY_CODE``, in its order,
    which ``campaign_overview_from_row`` reads them in."""
    return [*statement.selected_columns.keys()][: len(_BY_CODE_AT)] == [*_BY_CODE_AT]


def campaign_overview_from_row(row: Sequence[Any]) -> CampaignOverview:
    """The campaign and its organization of a row of ``CAMPAIGN_BY_CODE`` (or of a statement that
    leads with its columns), found by position."""
    return CampaignOverview(
        campaign_from_row(ByName(row, _CAMPAIGN_AT)), organization_from_row(ByName(row, _ORGANIZATION_AT))
    )


def participation_from_row(row: Any) -> Participation:
    return Participation(
        id=row.id,
        campaign_id=row.campaign_id,
        user_id=row.user_id,
        student_id=row.student_id,
        is_preview=row.is_preview,
        created_at=row.created_at,
    )


class SqlCampaignRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, campaign: NewCampaign) -> Campaign:
        try:
            # A savepoint, so that a refused code leaves the transaction usable for the next draw.
            async with self._db.begin_nested():
                row = (
                    await self._db.execute(
                        insert(campaigns)
                        .values(
                            organization_id=campaign.organization_id,
                            code=campaign.code,
                            name=campaign.name,
                            type=campaign.type.value,
                            creator_id=campaign.creator_id,
                            created_at=campaign.created_at,
                        )
                        .returning(*campaigns.c)
                    )
                ).one()
        except IntegrityError as error:
            if violates(error, "uq_campaigns_code", "campaigns.code"):
                raise CampaignCodeAlreadyUsed() from error
            raise
        return campaign_from_row(row)

    async def get(self, campaign_id: int) -> Campaign | None:
        row = (await self._db.execute(select(campaigns).where(campaigns.c.id == campaign_id))).one_or_none()
        return campaign_from_row(row) if row else None

    async def get_by_code(self, code: str) -> CampaignOverview | None:
        row = (await self._db.execute(CAMPAIGN_BY_CODE, {"code": code})).one_or_none()
        return campaign_overview_from_row(row) if row is not None else None

    async def archive(self, campaign_id: int, now: datetime) -> None:
        await self._db.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id, campaigns.c.archived_at.is_(None))
            .values(archived_at=now)
        )


# Built once (each pupil who joins runs them): building a statement cost as much CPU as sending it.
_PARTICIPATION = select(campaign_participations).where(
    campaign_participations.c.campaign_id == bindparam("campaign_id"),
    campaign_participations.c.user_id == bindparam("user_id"),
)
_ADD_PARTICIPATION = insert_unless_taken(campaign_participations, "campaign_id", "user_id")


class SqlParticipationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def find(self, campaign_id: int, user_id: int) -> Participation | None:
        found = await self._db.execute(_PARTICIPATION, {"campaign_id": campaign_id, "user_id": user_id})
        row = found.one_or_none()
        return participation_from_row(row) if row else None

    async def add(self, participation: NewParticipation) -> Participation | None:
        """None when the account already takes part in the campaign (a double click)."""
        values = {
            "campaign_id": participation.campaign_id,
            "user_id": participation.user_id,
            "student_id": participation.student_id,
            "is_preview": participation.is_preview,
            "created_at": participation.created_at,
        }
        row = (await self._db.execute(_ADD_PARTICIPATION[self._db.dialect.name], values)).one_or_none()
        return participation_from_row(row) if row is not None else None


class SqlIdentityMatchLog:
    """Append-only: the decisions of identity matching, without any typed name. ``held``: the
    decisions wait in memory for ``write_held`` (the unit of work's commit when it runs a
    statement at a time), which writes them with those that other units of work commit meanwhile
    (``GroupedInsert``)."""

    def __init__(self, connection: AsyncConnection, *, held: GroupedInsert | None = None) -> None:
        self._db = connection
        self._group = held
        self._held: list[dict[str, Any]] = []

    async def record(self, decision: RecordedMatch) -> None:
        values = {
            "occurred_at": decision.occurred_at,
            "campaign_id": decision.campaign_id,
            "endpoint": decision.endpoint,
            "outcome": decision.outcome,
            "rule": decision.rule,
            "student_id": decision.student_id,
            "first_name_distance": decision.first_name_distance,
            "last_name_distance": decision.last_name_distance,
            "reason_code": decision.reason_code,
        }
        if self._group is not None:
            self._held.append(values)
        else:
            await self._db.execute(RECORD_MATCH, values)

    async def write_held(self) -> None:
        if self._group is not None and self._held:
            held, self._held = self._held, []
            await self._group.insert(self._db, held)


RECORD_MATCH = insert(identity_match_decisions)
