from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table

from infrastructure.db.tables.base import metadata
from infrastructure.db.types import UTCDateTime

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    # SHA-256 (hex) of the secret; the secret itself is never stored.
    Column("secret_hash", String(64), nullable=False),
    Column("previous_secret_hash", String(64), nullable=True),
    Column("previous_secret_expires_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by_user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Index("uq_api_clients_client_id", "client_id", unique=True),
)
