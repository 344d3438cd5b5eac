"""The format of each student import: SIECLE_XML, CSV or JSON (SIECLE_XML for the imports before).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('student_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.String(length=10), nullable=True))
    # Every import before this revision read a SIECLE export. NULL stays for an upload refused
    # before its format was known.
    op.execute("UPDATE student_imports SET format = 'SIECLE_XML'")


def downgrade() -> None:
    with op.batch_alter_table('student_imports', schema=None) as batch_op:
        batch_op.drop_column('format')
