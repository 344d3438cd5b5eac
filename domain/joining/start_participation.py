"""A logged-in account starts (or resumes) its participation in a campaign."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.accounts.entities import Viewer
from domain.campaigns.campaign_lookup import stored_campaign_code
from domain.campaigns.entities import Campaign, Participation
from domain.campaigns.errors import (
    CampaignArchived,
    CampaignNotFound,
    NotAStudentOfOrganization,
    OrganizationMemberCannotParticipate,
)
from domain.campaigns.ports import NewParticipation
from domain.clock import Clock
from domain.notifications.webhooks import participation_created
from domain.organizations.errors import RoleNotAllowed
from domain.unit_of_work import (
    HasParticipations,
    HasStudentLinks,
    HasWebhookEvents,
    UnitOfWorkFactory,
    Writes,
)


@dataclass(frozen=True)
class ParticipationStarted:
    participation: Participation
    campaign: Campaign
    created: bool  # False when the account had started it already (200, the same participation)


class StartParticipationPorts(Writes, HasStudentLinks, HasParticipations, HasWebhookEvents, Protocol): ...


class StartParticipation:
    """One participation per account and campaign (a unique index): calling again answers the same
    one. A restricted campaign (of an organization that manages students) needs the account to be
    attached to an active student of that organization, teachers included (403
    ``NOT_A_STUDENT_OF_ORGANIZATION``); an active member of that organization never takes part in it
    as a pupil, even with an account attached to one of its students, whichever came first (403
    ``ORGANIZATION_MEMBER_CANNOT_PARTICIPATE``): only a preview. ``preview``: an active member of the
    organization tries the campaign as a pupil would; the participation is flagged and left out of
    results (403 ``FORBIDDEN`` for anyone else). An archived campaign takes no new participation (409)."""

    def __init__(self, uow: UnitOfWorkFactory[StartParticipationPorts], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, viewer: Viewer, campaign_code: str, *, preview: bool = False
    ) -> ParticipationStarted:
        user_id = viewer.user.id
        async with self._uow() as uow:
            # One read: the campaign, the account's membership, participation and student there.
            found = await uow.student_links.participation_snapshot(
                stored_campaign_code(campaign_code), user_id
            )
            if found is None:
                raise CampaignNotFound()
            campaign, organization = found.campaign.campaign, found.campaign.organization
            membership, existing, student = found.membership, found.participation, found.student
            is_member = membership is not None and membership.is_active
            if organization.is_managing_students and is_member:
                # Not even a participation started as a pupil before joining the team is resumed.
                if existing is not None and not existing.is_preview:
                    raise OrganizationMemberCannotParticipate()
                if not preview:
                    if student is not None:
                        raise OrganizationMemberCannotParticipate()
                    raise NotAStudentOfOrganization()
            if existing is not None and existing.is_preview == preview:
                return ParticipationStarted(existing, campaign, created=False)
            if preview and not is_member:
                raise RoleNotAllowed()
            if campaign.is_archived:
                raise CampaignArchived()
            student_id = None
            if not preview and organization.is_managing_students:
                if student is None:
                    raise NotAStudentOfOrganization()
                student_id = student.id
            if existing is not None:
                # The account has the other kind of participation: one per campaign, so that one.
                return ParticipationStarted(existing, campaign, created=False)
            added = await uow.participations.add(
                NewParticipation(
                    campaign_id=campaign.id,
                    user_id=user_id,
                    student_id=student_id,
                    is_preview=preview,
                    created_at=self._clock.now(),
                )
            )
            if added is None:  # a double click: the other request created it
                raced = await uow.participations.find(campaign.id, user_id)
                assert raced is not None
                return ParticipationStarted(raced, campaign, created=False)
            if not added.is_preview:
                await uow.webhook_events.record(
                    participation_created(organization.id, added.id, campaign.code, added.created_at)
                )
            await uow.commit()
        return ParticipationStarted(added, campaign, created=True)
