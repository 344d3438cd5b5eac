from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.accounts import RequestModel
from domain.webhooks.decisions import MAX_URL_LENGTH
from domain.webhooks.entities import CreatedEndpoint, DeliveryView, WebhookEndpoint

EventType = Literal[
    "invitation.accepted",
    "membership.created",
    "membership.updated",
    "membership.removed",
    "student_import.completed",
    "student.linked",
    "student.detached",
    "participation.created",
    "webhook.test",
]
EndpointStatusName = Literal["ENABLED", "DISABLED"]


class CreateWebhookEndpointRequest(RequestModel):
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH, description="`https://…`, a public address")
    events: list[EventType] = Field(min_length=1, max_length=20)
    description: str | None = Field(default=None, max_length=255)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://integrations.example.com/pix-orga/webhooks",
                    "events": ["student_import.completed", "student.linked"],
                    "description": "Our school information system",
                }
            ]
        }
    )


class UpdateWebhookEndpointRequest(RequestModel):
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=20)
    status: EndpointStatusName | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ENABLED"}]})


class WebhookEndpointOut(BaseModel):
    id: int
    url: str
    events: list[str]
    status: EndpointStatusName
    description: str | None
    failing_since: datetime | None = Field(description="When its current run of failed deliveries began")
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=list(endpoint.events),
            status=endpoint.status.value,
            description=endpoint.description,
            failing_since=endpoint.failing_since,
            created_at=endpoint.created_at,
        )


class CreatedWebhookEndpointOut(WebhookEndpointOut):
    secret: str = Field(description="`whsec_` + base64: the signing secret, shown this once")

    @classmethod
    def created(cls, created: CreatedEndpoint) -> CreatedWebhookEndpointOut:
        return cls(**WebhookEndpointOut.of(created.endpoint).model_dump(), secret=created.secret)


class WebhookTestOut(BaseModel):
    event_id: int


class WebhookDeliveryOut(BaseModel):
    id: int
    event_id: int
    event_type: str
    status: Literal["PENDING", "DELIVERED", "FAILED"]
    attempts: int
    last_status_code: int | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: DeliveryView) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status.value,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_attempt_at=delivery.last_attempt_at,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
        )
