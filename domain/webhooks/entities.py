"""Webhook endpoints and their deliveries, as the administrators see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EndpointStatus(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


class WebhookDeliveryStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: int
    organization_id: int
    url: str
    events: tuple[str, ...]
    status: EndpointStatus
    description: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewWebhookEndpoint:
    organization_id: int
    url: str
    events: tuple[str, ...]
    description: str | None
    encrypted_secret: bytes = field(repr=False)
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    """The endpoint and its signing secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: int
    event_id: int
    event_type: str
    status: WebhookDeliveryStatus
    attempts: int
    last_status_code: int | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    created_at: datetime
