"""Errors of campaigns and of joining them."""

from __future__ import annotations

from domain.errors import Conflict, Forbidden, Invalid, NotFound


class CampaignNotFound(NotFound):
    code = "CAMPAIGN_NOT_FOUND"


class CampaignArchived(Conflict):
    code = "CAMPAIGN_ARCHIVED"


class CampaignNotRestricted(Invalid):
    """The campaign's organization does not manage students: there is nobody to match."""

    code = "CAMPAIGN_NOT_RESTRICTED"


class CampaignCodeAlreadyUsed(Conflict):
    """The unique index refused a generated code (the caller draws another one)."""

    code = "CAMPAIGN_CODE_ALREADY_USED"


class NotAStudentOfOrganization(Forbidden):
    """A restricted campaign needs an account attached to an active student of its organization."""

    code = "NOT_A_STUDENT_OF_ORGANIZATION"


class OrganizationMemberCannotParticipate(Forbidden):
    """A member of the organization tries its campaigns only as a preview, even when their account
    is also attached to one of its students."""

    code = "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE"
