"""Webhook events: what the use cases record, in the transaction of the change that causes them.

An event names what happened with ids only (never a name, a birth date or an e-mail address): a
receiver that wants more asks the API with its own credentials. Recording an event creates one
delivery per enabled endpoint of the organization subscribed to its type, in the same transaction,
so a rolled-back change sends nothing and a committed one is delivered at least once (the
webhook dispatcher, like the e-mail outbox's, retries until a 2xx answer or the endpoint is
disabled). The constructors below are the only way the use cases build one, so that the payloads
hold what the contract lists and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

INVITATION_ACCEPTED: Final = "invitation.accepted"
MEMBERSHIP_CREATED: Final = "membership.created"
MEMBERSHIP_UPDATED: Final = "membership.updated"
MEMBERSHIP_REMOVED: Final = "membership.removed"
STUDENT_IMPORT_COMPLETED: Final = "student_import.completed"
STUDENT_LINKED: Final = "student.linked"
STUDENT_DETACHED: Final = "student.detached"
PARTICIPATION_CREATED: Final = "participation.created"
WEBHOOK_TEST: Final = "webhook.test"

EVENT_TYPES: Final = (
    INVITATION_ACCEPTED,
    MEMBERSHIP_CREATED,
    MEMBERSHIP_UPDATED,
    MEMBERSHIP_REMOVED,
    STUDENT_IMPORT_COMPLETED,
    STUDENT_LINKED,
    STUDENT_DETACHED,
    PARTICIPATION_CREATED,
    WEBHOOK_TEST,
)

PayloadValue = int | str | Mapping[str, int]


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """``data`` is the event's payload without ``organization_id``, which the delivery adds.

    ``endpoint_id`` restricts the delivery to one endpoint, subscribed or not (a test send)."""

    organization_id: int
    type: str
    occurred_at: datetime
    data: Mapping[str, PayloadValue] = field(default_factory=dict)
    endpoint_id: int | None = None


class WebhookEventLog(Protocol):
    async def record(self, event: WebhookEvent) -> int | None:
        """Store the event and one ``PENDING`` delivery per enabled endpoint of its organization
        subscribed to its type (or for ``event.endpoint_id`` alone). Returns the event's id, or
        None when no endpoint is to receive it (nothing is stored then)."""
        ...


def invitation_accepted(
    organization_id: int, invitation_id: int, membership_id: int, user_id: int, at: datetime
) -> WebhookEvent:
    return WebhookEvent(
        organization_id,
        INVITATION_ACCEPTED,
        at,
        {"invitation_id": invitation_id, "membership_id": membership_id, "user_id": user_id},
    )


def membership_event(
    kind: str, organization_id: int, membership_id: int, user_id: int, role: str, at: datetime
) -> WebhookEvent:
    if kind not in (MEMBERSHIP_CREATED, MEMBERSHIP_UPDATED, MEMBERSHIP_REMOVED):
        raise ValueError(f"not a membership event: {kind!r}")
    return WebhookEvent(
        organization_id, kind, at, {"membership_id": membership_id, "user_id": user_id, "role": role}
    )


def student_import_completed(
    organization_id: int, import_id: int, file_format: str, counts: Mapping[str, int], at: datetime
) -> WebhookEvent:
    return WebhookEvent(
        organization_id,
        STUDENT_IMPORT_COMPLETED,
        at,
        {"import_id": import_id, "format": file_format, "counts": {k: int(v) for k, v in counts.items()}},
    )


def student_linked(organization_id: int, student_id: int, user_id: int, at: datetime) -> WebhookEvent:
    return WebhookEvent(organization_id, STUDENT_LINKED, at, {"student_id": student_id, "user_id": user_id})


def student_detached(organization_id: int, student_id: int, at: datetime) -> WebhookEvent:
    return WebhookEvent(organization_id, STUDENT_DETACHED, at, {"student_id": student_id})


def participation_created(
    organization_id: int, participation_id: int, campaign_code: str, at: datetime
) -> WebhookEvent:
    return WebhookEvent(
        organization_id,
        PARTICIPATION_CREATED,
        at,
        {"participation_id": participation_id, "campaign_code": campaign_code},
    )


def webhook_test(organization_id: int, endpoint_id: int, at: datetime) -> WebhookEvent:
    return WebhookEvent(organization_id, WEBHOOK_TEST, at, {}, endpoint_id=endpoint_id)
