"""What reading and completing a recovery link share: telling a link's id from what was typed, and
whether the account has gone back to school since the request."""

from __future__ import annotations

import uuid

from domain.unit_of_work import HasStudentLinks


def recovery_id_of(text: str) -> uuid.UUID | None:
    """The id of a link as the front-end passes it on; None when it cannot be one (then the link is
    unknown, like any other invalid one)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def held_by_active_record(uow: HasStudentLinks, user_id: int) -> bool:
    """Whether an active record of any school holds the account now."""
    return any(student.is_active for student in await uow.student_links.of_user(user_id))
