from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, text

from infrastructure.db.tables.base import metadata
from infrastructure.db.types import UTCDateTime

organizations = Table(
    "organizations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("type", String(3), nullable=False),
    Column("uai", String(8), nullable=True),
    Column("email", String(320), nullable=True),
    Column("is_managing_students", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("archived_at", UTCDateTime(), nullable=True),
    # Bumped by every write that changes who is on the roster or their names, in the same
    # transaction: a cache of the roster is good while it reads the same number.
    Column("roster_revision", Integer, nullable=False, server_default=text("0")),
    Index("uq_organizations_uai", "uai", unique=True),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("role", String(6), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),
    # One row per person and organization: removal disables it, a new invitation re-enables it.
    Index("uq_memberships_organization_id_user_id", "organization_id", "user_id", unique=True),
)

invitations = Table(
    "invitations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False),
    Column("email", String(320), nullable=False),
    Column("role", String(6), nullable=True),  # NULL: "auto", decided at acceptance
    Column("status", String(9), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("locale", String(5), nullable=False),
    Column("is_activation", Boolean, nullable=False),
    Column("inviter_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_sent_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("accepted_by_user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("accepted_at", UTCDateTime(), nullable=True),
    Column("cancelled_at", UTCDateTime(), nullable=True),
    Column("delivery_status", String(6), nullable=False),
    Index("ix_invitations_organization_id_status", "organization_id", "status"),
    Index("uq_invitations_code_hash", "code_hash", unique=True),
    # At most one pending invitation per address and organization (re-inviting rotates it).
    Index(
        "uq_invitations_pending_email",
        "organization_id",
        "email",
        unique=True,
        postgresql_where=text("status = 'PENDING'"),
        sqlite_where=text("status = 'PENDING'"),
    ),
)

replaced_invitation_codes = Table(
    "replaced_invitation_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("invitation_id", Integer, ForeignKey("invitations.id"), nullable=False, index=True),
    Column("replaced_at", UTCDateTime(), nullable=False),
)

password_reset_tokens = Table(
    "password_reset_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)

outbox_emails = Table(
    "outbox_emails",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("locale", String(5), nullable=False),
    # The rendering parameters, secret link included; emptied once the e-mail is sent.
    Column("payload", JSON, nullable=True),
    Column("invitation_id", Integer, ForeignKey("invitations.id"), nullable=True, index=True),
    Column("status", String(6), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("last_error", String(255), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id"), nullable=True, index=True),
    Column("actor_label", String(16), nullable=False),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=True, index=True),
    Column("type", String(64), nullable=False, index=True),
    Column("target_type", String(32), nullable=True),
    Column("target_id", Integer, nullable=True),
    Column("details", JSON, nullable=False),
    Column("actor_api_client_id", Integer, ForeignKey("api_clients.id"), nullable=True),
)
