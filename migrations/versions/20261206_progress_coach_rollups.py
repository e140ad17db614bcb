"""progress rollups, second step: per coach the funnel milestones and the last activity before
the rolled day; the latest end of the rolled-up sessions per municipality; appointments that
came or not per day; a programme's rollups summed up to its rolled day

Revision ID: rollups0002
Revises: rollups0001
Create Date: 2026-12-06 00:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import digicoach.core.db


# revision identifiers, used by Alembic.
revision = 'rollups0002'
down_revision = 'rollups0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('progress_coach_rollup',
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', digicoach.core.db.UTCDateTime(), nullable=False),
    sa.Column('in_training', sa.Boolean(), nullable=False),
    sa.Column('approved_at', digicoach.core.db.UTCDateTime(), nullable=True),
    sa.Column('certified_at', digicoach.core.db.UTCDateTime(), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('last_logged_on', sa.Date(), nullable=True),
    sa.Column('last_shift_at', digicoach.core.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coach_id'], ['coach.id'], name=op.f('fk_progress_coach_rollup_coach_id_coach'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_progress_coach_rollup_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coach_id', name=op.f('pk_progress_coach_rollup'))
    )
    with op.batch_alter_table('progress_coach_rollup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_coach_rollup_municipality_id'), ['municipality_id'], unique=False)
    op.create_table('progress_coach_rollup_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rolled_until', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_coach_rollup_state'))
    )
    with op.batch_alter_table('progress_rollup_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sessions_end_by', digicoach.core.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('progress_day_figure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_shows', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('appointments_closed', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('progress_day_figure', schema=None) as batch_op:
        batch_op.alter_column('no_shows', server_default=None)
        batch_op.alter_column('appointments_closed', server_default=None)
    op.create_table('progress_programme_total',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('logs', sa.Integer(), nullable=False),
    sa.Column('contacts', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('walk_in_first', sa.Integer(), nullable=False),
    sa.Column('did_it_themselves', sa.Integer(), nullable=False),
    sa.Column('follow_up', sa.Integer(), nullable=False),
    sa.Column('sessions_held', sa.Integer(), nullable=False),
    sa.Column('sessions_staffed', sa.Integer(), nullable=False),
    sa.Column('no_shows', sa.Integer(), nullable=False),
    sa.Column('appointments_closed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_progress_programme_total_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'kind', 'key', name=op.f('pk_progress_programme_total'))
    )
    with op.batch_alter_table('progress_key_rollup_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totals_until', sa.Date(), nullable=True))
    # The rolled-up days of a programme are rolled up again with these (next night).
    op.execute('DELETE FROM progress_key_rollup_state')
    op.execute('DELETE FROM progress_rollup_state')


def downgrade():
    with op.batch_alter_table('progress_key_rollup_state', schema=None) as batch_op:
        batch_op.drop_column('totals_until')
    op.drop_table('progress_programme_total')
    with op.batch_alter_table('progress_day_figure', schema=None) as batch_op:
        batch_op.drop_column('appointments_closed')
        batch_op.drop_column('no_shows')
    with op.batch_alter_table('progress_rollup_state', schema=None) as batch_op:
        batch_op.drop_column('sessions_end_by')
    op.drop_table('progress_coach_rollup_state')
    op.drop_table('progress_coach_rollup')
