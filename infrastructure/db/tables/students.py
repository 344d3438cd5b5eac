from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from infrastructure.db.tables.base import metadata
from infrastructure.db.types import UTCDateTime

students = Table(
    "students",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False),
    Column("national_student_id", String(20), nullable=False),
    Column("last_name", String(255), nullable=False),
    Column("preferred_last_name", String(255), nullable=True),
    Column("first_name", String(255), nullable=False),
    Column("middle_name", String(255), nullable=True),
    Column("third_name", String(255), nullable=True),
    Column("birthdate", Date, nullable=False),
    Column("birth_country_code", String(10), nullable=True),
    Column("birth_department_code", String(10), nullable=True),
    Column("birth_city_code", String(10), nullable=True),
    Column("birth_city", String(255), nullable=True),
    Column("mef_code", String(20), nullable=True),
    Column("status", String(10), nullable=True),
    Column("division", String(64), nullable=False),
    # Names folded for search (lower case, no accents), computed when written.
    Column("search_text", String(1024), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),
    # The INE first: the key also finds an INE's students at every school (an import's accounts of
    # the arrivals, a match's accounts of the same INE elsewhere).
    Index(
        "uq_students_national_student_id_organization_id",
        "national_student_id",
        "organization_id",
        unique=True,
    ),
    Index("ix_students_organization_id_birthdate", "organization_id", "birthdate"),
    Index("ix_students_user_id", "user_id"),
    # An account is attached to at most one active student of an organization.
    Index(
        "uq_students_active_user",
        "organization_id",
        "user_id",
        unique=True,
        postgresql_where=text("user_id IS NOT NULL AND disabled_at IS NULL"),
        sqlite_where=text("user_id IS NOT NULL AND disabled_at IS NULL"),
    ),
)

student_imports = Table(
    "student_imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("actor_label", String(16), nullable=False),
    Column("filename", String(255), nullable=True),
    Column("file_hash", String(64), nullable=True),
    Column("status", String(9), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("error_codes", JSON, nullable=False),
    Column("format", String(10), nullable=True),
    Column("actor_api_client_id", Integer, ForeignKey("api_clients.id"), nullable=True),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organization_id", Integer, ForeignKey("organizations.id"), nullable=False, index=True),
    Column("code", String(9), nullable=False),
    Column("name", String(255), nullable=False),
    Column("type", String(20), nullable=False),
    Column("creator_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("archived_at", UTCDateTime(), nullable=True),
    Index("uq_campaigns_code", "code", unique=True),
)

campaign_participations = Table(
    "campaign_participations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("student_id", Integer, ForeignKey("students.id"), nullable=True, index=True),
    Column("is_preview", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("uq_campaign_participations_campaign_id_user_id", "campaign_id", "user_id", unique=True),
)

identity_match_decisions = Table(
    "identity_match_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False, index=True),
    Column("endpoint", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("student_id", Integer, ForeignKey("students.id"), nullable=True),
    Column("first_name_distance", Float, nullable=True),
    Column("last_name_distance", Float, nullable=True),
    Column("reason_code", String(8), nullable=True),
)
