"""What reading and completing a recovery link share: telling a link's id from what was typed."""

from __future__ import annotations

import uuid


def recovery_id_of(text: str) -> uuid.UUID | None:
    """The id of a link as the front-end passes it on; None when it cannot be one (then the link is
    unknown, like any other invalid one)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
