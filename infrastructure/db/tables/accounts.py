from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table

from infrastructure.db.tables.base import metadata
from infrastructure.db.types import UTCDateTime

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first_name", String(255), nullable=False),
    Column("last_name", String(255), nullable=False),
    # Both stored lower-cased, so that the unique indexes make them case-insensitive.
    Column("email", String(320), nullable=True),
    Column("username", String(255), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("temporary_password_expires_at", UTCDateTime(), nullable=True),
    Column("terms_accepted_at", UTCDateTime(), nullable=True),
    Column("pix_orga_terms_accepted_at", UTCDateTime(), nullable=True),
    Column("locale", String(5), nullable=False, default="fr"),
    Column("is_support", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("uq_users_email", "email", unique=True),
    Index("uq_users_username", "username", unique=True),
)

auth_sessions = Table(
    "auth_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "session_id",
        String(36),
        ForeignKey("auth_sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    Index("uq_refresh_tokens_token_hash", "token_hash", unique=True),
)
