from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Uuid, text

from infrastructure.db.tables.base import metadata
from infrastructure.db.types import UTCDateTime

# Account recovery requests of pupils who have left: the code of the link is stored as its SHA-256.
account_recoveries = Table(
    "account_recoveries",
    metadata,
    Column("id", Uuid(), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("email", String(320), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    Column("replaced_at", UTCDateTime(), nullable=True),
    # One live request per account: a new request replaces the previous one.
    Index(
        "uq_account_recoveries_live_user",
        "user_id",
        unique=True,
        postgresql_where=text("used_at IS NULL AND replaced_at IS NULL"),
        sqlite_where=text("used_at IS NULL AND replaced_at IS NULL"),
    ),
)
