"""A revision number per organization's roster, bumped by every write of its students' names or
presence, so that a cache of the roster is checked by reading one column instead of aggregating
the organization's students.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_revision', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('roster_revision')
