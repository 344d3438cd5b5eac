"""API clients (OAuth2 client credentials), and the client that acted on imports and audit events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from infrastructure.db.types import UTCDateTime


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_secret_hash", sa.String(length=64), nullable=True),
        sa.Column("previous_secret_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_api_clients_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_api_clients_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
    )
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_clients_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index("uq_api_clients_client_id", ["client_id"], unique=True)

    with op.batch_alter_table("student_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_api_client_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_student_imports_actor_api_client_id_api_clients"),
            "api_clients",
            ["actor_api_client_id"],
            ["id"],
        )

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_api_client_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_api_client_id_api_clients"),
            "api_clients",
            ["actor_api_client_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_events_actor_api_client_id_api_clients"), type_="foreignkey"
        )
        batch_op.drop_column("actor_api_client_id")

    with op.batch_alter_table("student_imports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_student_imports_actor_api_client_id_api_clients"), type_="foreignkey"
        )
        batch_op.drop_column("actor_api_client_id")

    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_index("uq_api_clients_client_id")
        batch_op.drop_index(batch_op.f("ix_api_clients_organization_id"))

    op.drop_table("api_clients")
