"""Account recoveries: pupils who have left recover a username-only account with an e-mail address.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 07:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from infrastructure.db.types import UTCDateTime


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = 'used_at IS NULL AND replaced_at IS NULL'


def upgrade() -> None:
    op.create_table('account_recoveries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=True),
    sa.Column('replaced_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_recoveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_recoveries'))
    )
    with op.batch_alter_table('account_recoveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_recoveries_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_account_recoveries_live_user', ['user_id'], unique=True, postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))


def downgrade() -> None:
    with op.batch_alter_table('account_recoveries', schema=None) as batch_op:
        batch_op.drop_index('uq_account_recoveries_live_user', postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
        batch_op.drop_index(batch_op.f('ix_account_recoveries_user_id'))

    op.drop_table('account_recoveries')
