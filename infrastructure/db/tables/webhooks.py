"""Webhook endpoints, the events the organizations' changes cause, and their deliveries."""

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, String, Table

from infrastructure.db.tables.base import metadata
from infrastructure.db.types import UTCDateTime

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("url", String(2048), nullable=False),
    # The event types it subscribes to, a JSON list of strings.
    Column("events", JSON, nullable=False),
    Column("status", String(8), nullable=False),
    # The signing secret, encrypted (Fernet, key derived from SECRET_KEY): shown once, never stored clear.
    Column("encrypted_secret", LargeBinary, nullable=False),
    Column("description", String(255), nullable=True),
    # When the current run of failed deliveries began; NULL after a success.
    Column("failing_since", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("type", String(64), nullable=False),
    # Ids only: never a name, a birth date or an e-mail address.
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "endpoint_id",
        Integer,
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", Integer, ForeignKey("webhook_events.id"), nullable=False, index=True),
    Column("status", String(9), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", String(64), nullable=True),
    Column("last_attempt_at", UTCDateTime(), nullable=True),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    # The lease's end is the claim's token, as for the e-mail outbox.
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime(), nullable=True),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),
)
