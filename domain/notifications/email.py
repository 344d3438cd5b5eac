"""E-mail ports: what the service sends, and the two adapters it needs to send it.

Use cases never send e-mails themselves: they store what to send in the outbox, in the same
transaction as the change that causes it, and a dispatcher renders and sends it afterwards
(docs/architecture.md, rule 4). The dispatcher relies on ``EmailDeliveryError.permanent`` to decide
between retrying later and giving up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

INVITATION: Final = "invitation"
"""A team invitation. Params: ``to``, ``organization_name``, ``invitation_id``, ``code``,
``expires_at`` (ISO 8601 timestamp), ``role`` (``ADMIN``, ``MEMBER`` or ``None`` for auto)."""

ACTIVATION: Final = "activation"
"""The activation invitation sent to a school's official mailbox (step 1). Same params as
``INVITATION``."""

PASSWORD_RESET: Final = "password_reset"  # noqa: S105 (an e-mail kind, not a password)
"""A forgotten-password link. Params: ``to``, ``token``, ``app`` (``orga`` or ``app``), and
optionally ``expires_at``."""

ACCOUNT_RECOVERY: Final = "account_recovery"
"""The link that lets a pupil who has left school recover a username-only account, sent to the
address they gave. Params: ``to``, ``recovery_id``, ``code``, ``expires_at`` (ISO 8601 timestamp)."""

WEBHOOK_DISABLED: Final = "webhook_disabled"
"""To each administrator of an organization whose webhook endpoint failed for three days and was
disabled. Params: ``to``, ``organization_name``, ``endpoint_id``, ``host`` (the URL's host name
only: a URL may carry a token)."""

EMAIL_KINDS: Final = frozenset({INVITATION, ACTIVATION, PASSWORD_RESET, ACCOUNT_RECOVERY, WEBHOOK_DISABLED})


@dataclass(frozen=True)
class RenderedEmail:
    """An e-mail ready to send.

    Only the subject shows in ``repr``: the address is personal data and the bodies hold
    secret links, and a repr ends up in logs and tracebacks sooner or later.
    """

    to: str = field(repr=False)
    subject: str
    text: str = field(repr=False)
    html: str = field(repr=False)


class EmailDeliveryError(Exception):
    """Sending failed.

    ``permanent`` is true when sending the same e-mail again cannot succeed (the server refused
    the recipient or the content with a 5xx reply); false when a later attempt may (server
    unreachable, timeout, 4xx reply, rejected credentials or other configuration problems
    that an operator can fix). The message never holds the recipient's address.
    """

    def __init__(self, message: str, *, permanent: bool, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.smtp_code = smtp_code


class EmailSender(Protocol):
    async def send(self, email: RenderedEmail) -> None:
        """Deliver ``email`` or raise ``EmailDeliveryError``."""
        ...


class EmailRenderer(Protocol):
    def render(self, kind: str, locale: str, params: Mapping[str, Any]) -> RenderedEmail:
        """Build the e-mail of ``kind`` (one of ``EMAIL_KINDS``) in ``locale``.

        An unknown locale falls back to French; an unknown kind or missing params raise
        ``ValueError``.
        """
        ...
