"""The schema, as SQLAlchemy Core tables; Alembic migrations are its source of truth."""

from infrastructure.db.tables.accounts import auth_sessions, refresh_tokens, users
from infrastructure.db.tables.api_clients import api_clients
from infrastructure.db.tables.base import metadata
from infrastructure.db.tables.organizations import (
    audit_events,
    invitations,
    memberships,
    organizations,
    outbox_emails,
    password_reset_tokens,
    replaced_invitation_codes,
)
from infrastructure.db.tables.recovery import account_recoveries
from infrastructure.db.tables.students import (
    campaign_participations,
    campaigns,
    identity_match_decisions,
    student_imports,
    students,
)
from infrastructure.db.tables.webhooks import webhook_deliveries, webhook_endpoints, webhook_events

__all__ = [
    "account_recoveries",
    "api_clients",
    "audit_events",
    "auth_sessions",
    "campaign_participations",
    "campaigns",
    "identity_match_decisions",
    "invitations",
    "memberships",
    "metadata",
    "organizations",
    "outbox_emails",
    "password_reset_tokens",
    "refresh_tokens",
    "replaced_invitation_codes",
    "student_imports",
    "students",
    "users",
    "webhook_deliveries",
    "webhook_endpoints",
    "webhook_events",
]
