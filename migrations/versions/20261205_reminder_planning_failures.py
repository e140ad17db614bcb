"""reminder planning failures: a kind of reminder whose last planning failed, for the outbox page

Revision ID: reminders0001
Revises: d16a0b0c0d01
Create Date: 2026-12-05 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import digicoach.core.db


# revision identifiers, used by Alembic.
revision = 'reminders0001'
down_revision = 'd16a0b0c0d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_planning_failure',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('failed_at', digicoach.core.db.UTCDateTime(), nullable=False),
    sa.Column('error', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_reminder_planning_failure'))
    )


def downgrade():
    op.drop_table('reminder_planning_failure')
