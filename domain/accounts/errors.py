from domain.errors import Conflict, Forbidden, Gone, Invalid, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "INVALID_CREDENTIALS"


class EmailAlreadyUsed(Conflict):
    code = "EMAIL_ALREADY_USED"


class UsernameAlreadyUsed(Conflict):
    code = "USERNAME_ALREADY_USED"


class InvalidPassword(Invalid):
    code = "INVALID_PASSWORD"


class TermsNotAccepted(Invalid):
    code = "TERMS_NOT_ACCEPTED"


class InvalidEmail(Invalid):
    code = "INVALID_EMAIL"


class WrongCurrentPassword(Invalid):
    code = "WRONG_CURRENT_PASSWORD"


class PasswordChangeRequired(Forbidden):
    code = "PASSWORD_CHANGE_REQUIRED"


class PixOrgaAccessRequiresMembership(Forbidden):
    code = "PIX_ORGA_ACCESS_REQUIRES_MEMBERSHIP"


class SupportRoleRequired(Forbidden):
    code = "FORBIDDEN"


class ResetTokenInvalid(Gone):
    code = "RESET_TOKEN_INVALID"
