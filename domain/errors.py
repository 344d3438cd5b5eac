"""Domain errors: a stable ``code`` that clients switch on, and non-personal context.

They carry no HTTP status; ``api/errors.py`` maps each class to one, once.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every business-rule failure."""

    code: ClassVar[str] = "DOMAIN_ERROR"

    def __init__(
        self, *, meta: dict[str, Any] | None = None, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(self.code)
        self.meta = meta or {}
        self.errors = errors


class NotFound(DomainError):
    """Something asked for does not exist (or must not be revealed)."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The request contradicts the current state."""

    code = "CONFLICT"


class Forbidden(DomainError):
    """The caller may not do this."""

    code = "FORBIDDEN"


class Gone(DomainError):
    """It existed but can no longer be used."""

    code = "GONE"


class BadRequest(DomainError):
    """A request the protocol itself refuses (an OAuth2 token request asking for an unknown scope)."""

    code = "BAD_REQUEST"


class Invalid(DomainError):
    """The input breaks a business rule."""

    code = "VALIDATION_ERROR"


class TooManyRequests(DomainError):
    """A rate limit was reached."""

    code = "TOO_MANY_REQUESTS"

    def __init__(self, *, retry_after: int, meta: dict[str, Any] | None = None) -> None:
        super().__init__(meta=meta)
        self.retry_after = retry_after


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class PreconditionFailed(DomainError):
    """Something the request depends on is missing (e.g. an organization without e-mail)."""

    code = "PRECONDITION_FAILED"


class PayloadTooLarge(DomainError):
    """An uploaded file over its cap."""

    code = "REQUEST_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    """An uploaded file of a kind the service does not read."""

    code = "UNSUPPORTED_FILE_TYPE"


def all_error_classes() -> list[type[DomainError]]:
    """Every concrete domain error, for the error table and its test."""
    found: list[type[DomainError]] = []
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        found.append(cls)
    return found
