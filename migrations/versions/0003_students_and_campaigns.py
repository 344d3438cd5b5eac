"""Students (organization learners), SIECLE imports, campaigns, participations, match decisions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 11:52:20.998538
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from infrastructure.db.types import UTCDateTime


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('creator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('archived_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_campaigns_creator_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_campaigns_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_campaigns_code', ['code'], unique=True)

    op.create_table('student_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('file_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=9), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error_codes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_student_imports_actor_user_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_student_imports_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_student_imports'))
    )
    with op.batch_alter_table('student_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_student_imports_organization_id'), ['organization_id'], unique=False)

    op.create_table('students',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('national_student_id', sa.String(length=20), nullable=False),
    sa.Column('last_name', sa.String(length=255), nullable=False),
    sa.Column('preferred_last_name', sa.String(length=255), nullable=True),
    sa.Column('first_name', sa.String(length=255), nullable=False),
    sa.Column('middle_name', sa.String(length=255), nullable=True),
    sa.Column('third_name', sa.String(length=255), nullable=True),
    sa.Column('birthdate', sa.Date(), nullable=False),
    sa.Column('birth_country_code', sa.String(length=10), nullable=True),
    sa.Column('birth_department_code', sa.String(length=10), nullable=True),
    sa.Column('birth_city_code', sa.String(length=10), nullable=True),
    sa.Column('birth_city', sa.String(length=255), nullable=True),
    sa.Column('mef_code', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.Column('division', sa.String(length=64), nullable=False),
    sa.Column('search_text', sa.String(length=1024), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('disabled_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_students_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_students_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_students'))
    )
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index('ix_students_national_student_id', ['national_student_id'], unique=False)
        batch_op.create_index('ix_students_organization_id_birthdate', ['organization_id', 'birthdate'], unique=False)
        batch_op.create_index('ix_students_user_id', ['user_id'], unique=False)
        batch_op.create_index('uq_students_active_user', ['organization_id', 'user_id'], unique=True, postgresql_where=sa.text('user_id IS NOT NULL AND disabled_at IS NULL'), sqlite_where=sa.text('user_id IS NOT NULL AND disabled_at IS NULL'))
        batch_op.create_index('uq_students_organization_id_national_student_id', ['organization_id', 'national_student_id'], unique=True)

    op.create_table('campaign_participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=True),
    sa.Column('is_preview', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_participations_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_campaign_participations_student_id_students')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campaign_participations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_participations'))
    )
    with op.batch_alter_table('campaign_participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_participations_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_participations_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_campaign_participations_campaign_id_user_id', ['campaign_id', 'user_id'], unique=True)

    op.create_table('identity_match_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', UTCDateTime(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=True),
    sa.Column('first_name_distance', sa.Float(), nullable=True),
    sa.Column('last_name_distance', sa.Float(), nullable=True),
    sa.Column('reason_code', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_identity_match_decisions_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_identity_match_decisions_student_id_students')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_match_decisions'))
    )
    with op.batch_alter_table('identity_match_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_match_decisions_campaign_id'), ['campaign_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('identity_match_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_match_decisions_campaign_id'))

    op.drop_table('identity_match_decisions')
    with op.batch_alter_table('campaign_participations', schema=None) as batch_op:
        batch_op.drop_index('uq_campaign_participations_campaign_id_user_id')
        batch_op.drop_index(batch_op.f('ix_campaign_participations_user_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_participations_student_id'))

    op.drop_table('campaign_participations')
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_index('uq_students_organization_id_national_student_id')
        batch_op.drop_index('uq_students_active_user', postgresql_where=sa.text('user_id IS NOT NULL AND disabled_at IS NULL'), sqlite_where=sa.text('user_id IS NOT NULL AND disabled_at IS NULL'))
        batch_op.drop_index('ix_students_user_id')
        batch_op.drop_index('ix_students_organization_id_birthdate')
        batch_op.drop_index('ix_students_national_student_id')

    op.drop_table('students')
    with op.batch_alter_table('student_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_student_imports_organization_id'))

    op.drop_table('student_imports')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('uq_campaigns_code')
        batch_op.drop_index(batch_op.f('ix_campaigns_organization_id'))

    op.drop_table('campaigns')

