from domain.errors import Conflict, Invalid, NotFound


class InvalidWebhookUrl(Invalid):
    """``meta.reason``: ``MALFORMED``, ``NOT_HTTPS``, ``TOO_LONG``, ``UNRESOLVABLE`` or
    ``NON_PUBLIC_ADDRESS``."""

    code = "INVALID_WEBHOOK_URL"

    def __init__(self, reason: str) -> None:
        super().__init__(meta={"reason": reason})
        self.reason = reason


class WebhookEndpointNotFound(NotFound):
    code = "WEBHOOK_ENDPOINT_NOT_FOUND"


class TooManyWebhookEndpoints(Conflict):
    code = "TOO_MANY_WEBHOOK_ENDPOINTS"


class WebhookEndpointDisabled(Conflict):
    code = "WEBHOOK_ENDPOINT_DISABLED"
