"""Organizations, memberships, invitations, password resets, e-mail outbox, audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:33:39.380681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from infrastructure.db.types import UTCDateTime


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=3), nullable=False),
    sa.Column('uai', sa.String(length=8), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('is_managing_students', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('archived_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index('uq_organizations_uai', ['uai'], unique=True)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', UTCDateTime(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=16), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_audit_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_audit_events_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_type'), ['type'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=6), nullable=True),
    sa.Column('status', sa.String(length=9), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('is_activation', sa.Boolean(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('last_sent_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('accepted_by_user_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('delivery_status', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_user_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_user_id_users')),
    sa.ForeignKeyConstraint(['inviter_id'], ['users.id'], name=op.f('fk_invitations_inviter_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invitations_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_organization_id_status', ['organization_id', 'status'], unique=False)
        batch_op.create_index('uq_invitations_code_hash', ['code_hash'], unique=True)
        batch_op.create_index('uq_invitations_pending_email', ['organization_id', 'email'], unique=True, postgresql_where=sa.text("status = 'PENDING'"), sqlite_where=sa.text("status = 'PENDING'"))

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=6), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('disabled_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_memberships_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_memberships_organization_id_user_id', ['organization_id', 'user_id'], unique=True)

    op.create_table('password_reset_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_reset_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_password_reset_tokens'))
    )
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=6), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
    sa.Column('claimed_until', UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_outbox_emails_invitation_id_invitations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_emails'))
    )
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_emails_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index('ix_outbox_emails_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('replaced_invitation_codes',
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('replaced_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_replaced_invitation_codes_invitation_id_invitations')),
    sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_replaced_invitation_codes'))
    )
    with op.batch_alter_table('replaced_invitation_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replaced_invitation_codes_invitation_id'), ['invitation_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('replaced_invitation_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replaced_invitation_codes_invitation_id'))

    op.drop_table('replaced_invitation_codes')
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_emails_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_outbox_emails_invitation_id'))

    op.drop_table('outbox_emails')
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_tokens_user_id'))

    op.drop_table('password_reset_tokens')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_memberships_organization_id_user_id')
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_invitations_pending_email', postgresql_where=sa.text("status = 'PENDING'"), sqlite_where=sa.text("status = 'PENDING'"))
        batch_op.drop_index('uq_invitations_code_hash')
        batch_op.drop_index('ix_invitations_organization_id_status')

    op.drop_table('invitations')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_type'))
        batch_op.drop_index(batch_op.f('ix_audit_events_organization_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_user_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('uq_organizations_uai')

    op.drop_table('organizations')
    
