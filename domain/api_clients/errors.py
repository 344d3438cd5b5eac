from __future__ import annotations

from typing import ClassVar

from domain.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthenticated


class OAuthError:
    """A failure of the token endpoint: its problem also carries RFC 6749's ``error`` member."""

    oauth_error: ClassVar[str]


class InvalidClient(OAuthError, Unauthenticated):
    """Unknown client, wrong secret, or a revoked client (RFC 6749 §5.2 ``invalid_client``)."""

    code = "INVALID_CLIENT"
    oauth_error = "invalid_client"


class InvalidScope(OAuthError, BadRequest):
    """A scope asked for that does not exist or was not granted to the client."""

    code = "INVALID_SCOPE"
    oauth_error = "invalid_scope"


class InsufficientScope(Forbidden):
    """A client's token on a route its scopes do not open, or on a route for people only."""

    code = "INSUFFICIENT_SCOPE"


class ApiClientNotFound(NotFound):
    code = "API_CLIENT_NOT_FOUND"


class TooManyApiClients(Conflict):
    code = "TOO_MANY_API_CLIENTS"
