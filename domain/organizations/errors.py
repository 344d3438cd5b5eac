from domain.errors import Conflict, Forbidden, Gone, Invalid, NotFound, PreconditionFailed, TooManyRequests


class OrganizationNotFound(NotFound):
    code = "ORGANIZATION_NOT_FOUND"


class PixOrgaTermsNotAccepted(Forbidden):
    code = "PIX_ORGA_TERMS_NOT_ACCEPTED"


class RoleNotAllowed(Forbidden):
    code = "FORBIDDEN"


class UaiAlreadyUsed(Conflict):
    code = "UAI_ALREADY_USED"


class OrganizationArchived(Conflict):
    code = "ORGANIZATION_ARCHIVED"


class OrganizationWithoutEmail(PreconditionFailed):
    code = "ORGANIZATION_WITHOUT_EMAIL"


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"


class InvitationAlreadyAccepted(Conflict):
    code = "INVITATION_ALREADY_ACCEPTED"


class InvitationCancelled(Conflict):
    code = "INVITATION_CANCELLED"


class InvitationExpired(Gone):
    code = "INVITATION_EXPIRED"


class InvitationCodeReplaced(Gone):
    code = "INVITATION_CODE_REPLACED"


class InvitationNotPending(Conflict):
    code = "INVITATION_NOT_PENDING"


class InvitationNotCancellable(Conflict):
    code = "INVITATION_NOT_CANCELLABLE"


class ResendTooSoon(TooManyRequests):
    code = "TOO_MANY_REQUESTS"


class NoValidEmail(Invalid):
    code = "NO_VALID_EMAIL"


class TooManyEmails(Invalid):
    """More addresses in one request than an invitation form may hold (``meta.max_emails``)."""

    code = "TOO_MANY_EMAILS"


class InvitationEmailsPerDayReached(TooManyRequests):
    """The organization sent its invitation e-mails of the last 24 hours."""

    code = "RATE_LIMITED"


class MembershipNotFound(NotFound):
    code = "MEMBERSHIP_NOT_FOUND"


class CannotChangeOwnRole(Forbidden):
    code = "CANNOT_CHANGE_OWN_ROLE"


class LastAdmin(Conflict):
    code = "LAST_ADMIN"


class InvalidUai(Invalid):
    code = "VALIDATION_ERROR"
