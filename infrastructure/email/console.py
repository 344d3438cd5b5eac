"""Console adapter of the ``EmailSender`` port, for ``make run``: e-mails go to standard output.

It writes to the stream directly, never through ``logging``: the block holds an address and a
secret link, which must not reach the structured logs. Settings refuse it in production.
"""

from __future__ import annotations

import sys
from typing import TextIO

from domain.notifications.email import RenderedEmail

_RULE = "=" * 72


class ConsoleEmailSender:
    """Prints each e-mail (recipient, subject, text body with its link) in a readable block."""

    def __init__(self, stream: TextIO | None = None) -> None:
        # Resolved at send time by default, so that a replaced ``sys.stdout`` (pytest's capture,
        # a CLI redirect) is honoured.
        self._stream = stream

    async def send(self, email: RenderedEmail) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        block = "\n".join(
            [
                "",
                _RULE,
                "E-mail (console backend: printed, not sent)",
                f"To:      {email.to}",
                f"Subject: {email.subject}",
                _RULE,
                email.text.rstrip("\n"),
                _RULE,
                "",
            ]
        )
        # One write per e-mail, so that concurrent sends never interleave their lines.
        stream.write(block)
        stream.flush()
