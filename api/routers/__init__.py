API_PREFIX = "/api/v1"

# The problems every organization endpoint may answer, in the order they are checked.
MEMBER_PROBLEMS = (
    "UNAUTHENTICATED",
    "PASSWORD_CHANGE_REQUIRED",
    "ORGANIZATION_NOT_FOUND",
    "PIX_ORGA_TERMS_NOT_ACCEPTED",
)
ADMIN_PROBLEMS = (*MEMBER_PROBLEMS, "FORBIDDEN")
