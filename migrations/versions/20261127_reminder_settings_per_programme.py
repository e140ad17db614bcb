"""reminder settings per programme: lead times and switches a programme sets for itself

One optional row per programme; a programme without one uses the REMINDER_* defaults.

Revision ID: 415feb5dc090
Revises: 494b53110e65
Create Date: 2026-11-27 00:24:39.800372

"""
from alembic import op
import sqlalchemy as sa

import digicoach.core.db


# revision identifiers, used by Alembic.
revision = '415feb5dc090'
down_revision = '494b53110e65'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_settings',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('citizen_days_before', sa.SmallInteger(), nullable=False),
    sa.Column('same_morning_sms', sa.Boolean(), nullable=False),
    sa.Column('same_morning_at', sa.Time(), nullable=False),
    sa.Column('shift_days_before', sa.SmallInteger(), nullable=False),
    sa.Column('training_days_before', sa.SmallInteger(), nullable=False),
    sa.Column('understaffed_alert_days', sa.String(length=20), nullable=False),
    sa.Column('help_log_nudge', sa.Boolean(), nullable=False),
    sa.Column('help_log_nudge_at', sa.Time(), nullable=False),
    sa.Column('weekly_digest', sa.Boolean(), nullable=False),
    sa.Column('updated_at', digicoach.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('citizen_days_before BETWEEN 1 AND 7', name=op.f('ck_reminder_settings_citizen_days_range')),
    sa.CheckConstraint('shift_days_before BETWEEN 1 AND 14', name=op.f('ck_reminder_settings_shift_days_range')),
    sa.CheckConstraint('training_days_before BETWEEN 1 AND 14', name=op.f('ck_reminder_settings_training_days_range')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_reminder_settings_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_reminder_settings'))
    )


def downgrade():
    op.drop_table('reminder_settings')
