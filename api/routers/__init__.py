API_PREFIX = "/api/v1"

# The problems every organization endpoint may answer, in the order they are checked.
MEMBER_PROBLEMS = (
    "UNAUTHENTICATED",
    "PASSWORD_CHANGE_REQUIRED",
    "ORGANIZATION_NOT_FOUND",
    "PIX_ORGA_TERMS_NOT_ACCEPTED",
)
ADMIN_PROBLEMS = (*MEMBER_PROBLEMS, "FORBIDDEN")
# What a route open to API clients may answer a client besides: a scope it lacks, its request rate.
CLIENT_PROBLEMS = ("INSUFFICIENT_SCOPE", "TOO_MANY_REQUESTS")
