"""One index of the students' INE instead of two: the unique key leads with the INE, so that it
also finds an INE's students at every school (``ix_students_national_student_id`` did), and an import
writes one index fewer a pupil.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 22:00:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index('uq_students_national_student_id_organization_id', ['national_student_id', 'organization_id'], unique=True)
        batch_op.drop_index('uq_students_organization_id_national_student_id')
        batch_op.drop_index('ix_students_national_student_id')


def downgrade() -> None:
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index('ix_students_national_student_id', ['national_student_id'], unique=False)
        batch_op.create_index('uq_students_organization_id_national_student_id', ['organization_id', 'national_student_id'], unique=True)
        batch_op.drop_index('uq_students_national_student_id_organization_id')
