"""Campaigns and participations: the same on the fakes and in SQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.campaigns.entities import CampaignOverview, CampaignSummary, ParticipantStudent, Participation
from domain.campaigns.errors import CampaignCodeAlreadyUsed
from domain.campaigns.ports import NewParticipation
from domain.pagination import PageRequest
from tests.contract.backends import (
    T0,
    Backend,
    Pupil,
    committed_campaign,
    committed_organization,
    committed_user,
    new_campaign,
)

LATER = T0 + timedelta(hours=1)


class TestCampaigns:
    async def test_what_is_added_is_read_back_by_id_and_by_code(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        async with backend.uow() as uow:
            added = await uow.campaigns.add(new_campaign(organization.id, "ABCDEF234"))
            assert (added.organization_id, added.code, added.archived_at) == (
                organization.id,
                "ABCDEF234",
                None,
            )
            assert await uow.campaigns.get(added.id) == added
            assert await uow.campaigns.get_by_code("ABCDEF234") == CampaignOverview(added, organization)
            assert await uow.campaigns.get(999) is None
            assert await uow.campaigns.get_by_code("abcdef234") is None

    async def test_a_code_is_used_once_and_the_transaction_goes_on(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        await committed_campaign(backend, organization.id, "ABCDEF234")
        async with backend.uow() as uow:
            with pytest.raises(CampaignCodeAlreadyUsed):
                await uow.campaigns.add(new_campaign(organization.id, "ABCDEF234"))
            second = await uow.campaigns.add(new_campaign(organization.id, "GHJKLM567"))
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.campaigns.get(second.id) == second

    async def test_an_organization_lists_its_campaigns_latest_first_with_real_participations(
        self, backend: Backend
    ) -> None:
        organization = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            old = await uow.campaigns.add(new_campaign(organization.id, "AAAAAA111", T0))
            new = await uow.campaigns.add(new_campaign(organization.id, "BBBBBB222", LATER))
            same_time = await uow.campaigns.add(new_campaign(organization.id, "CCCCCC333", T0))
            await uow.campaigns.add(new_campaign(other.id, "DDDDDD444", LATER))
            for user, preview in [(ada, False), (grace, True)]:
                await uow.participations.add(NewParticipation(old.id, user.id, None, preview, T0))
            first = await uow.campaign_queries.list_for_organization(organization.id, PageRequest(1, 2))
            second = await uow.campaign_queries.list_for_organization(organization.id, PageRequest(2, 2))
            assert first.total == 3
            assert first.items + second.items == [
                CampaignSummary(new, 0),
                CampaignSummary(same_time, 0),
                CampaignSummary(old, 1),
            ]

    async def test_archiving_keeps_the_first_date(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        campaign = await committed_campaign(backend, organization.id)
        async with backend.uow() as uow:
            await uow.campaigns.archive(campaign.id, LATER)
            await uow.campaigns.archive(campaign.id, LATER + timedelta(days=1))
            assert await uow.campaigns.get(campaign.id) == dataclasses.replace(campaign, archived_at=LATER)


class TestParticipations:
    async def test_one_participation_per_user_and_campaign(self, backend: Backend) -> None:
        organization = await committed_organization(backend)
        campaign = await committed_campaign(backend, organization.id)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            assert await uow.participations.find(campaign.id, ada.id) is None
            added = await uow.participations.add(NewParticipation(campaign.id, ada.id, None, False, T0))
            assert added == Participation(added.id if added else 0, campaign.id, ada.id, None, False, T0)
            assert (
                await uow.participations.add(NewParticipation(campaign.id, ada.id, None, True, LATER)) is None
            )
            assert await uow.participations.find(campaign.id, ada.id) == added
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.participations.find(campaign.id, ada.id) == added

    async def test_a_campaign_lists_its_participations_oldest_first_with_their_pupil(
        self, backend: Backend
    ) -> None:
        organization = await committed_organization(backend)
        campaign = await committed_campaign(backend, organization.id)
        other = await committed_campaign(backend, organization.id, "GHJKLM567")
        (alan,) = await backend.add_pupils(organization.id, [Pupil("123456789AA")], T0)
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            late = await uow.participations.add(NewParticipation(campaign.id, ada.id, None, False, LATER))
            early = await uow.participations.add(NewParticipation(campaign.id, grace.id, alan.id, False, T0))
            await uow.participations.add(NewParticipation(other.id, ada.id, None, False, T0))
            first = await uow.campaign_queries.list_for_campaign(campaign.id, PageRequest(1, 1))
            second = await uow.campaign_queries.list_for_campaign(campaign.id, PageRequest(2, 1))
            assert first.total == 2
            assert [(v.participation, v.student) for v in first.items + second.items] == [
                (early, ParticipantStudent(alan.id, "Alan", "TURING", "6A", alan.birthdate)),
                (late, None),
            ]
