"""progress daily rollups: help and session figures per municipality and day, citizen keys first
seen per programme and day, how far each is rolled up, and an index on help_session.ends_at for the running-session check

Revision ID: rollups0001
Revises: reminders0001
Create Date: 2026-12-05 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'rollups0001'
down_revision = 'reminders0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('progress_day_figure',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
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
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_progress_day_figure_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', 'day', 'kind', 'key', name=op.f('pk_progress_day_figure'))
    )
    op.create_index('ix_progress_day_figure_kind_day', 'progress_day_figure', ['kind', 'day'], unique=False)
    op.create_table('progress_rollup_state',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('rolled_until', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_progress_rollup_state_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_progress_rollup_state'))
    )
    op.create_table('progress_key_first_day',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('new_keys', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_progress_key_first_day_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'day', name=op.f('pk_progress_key_first_day'))
    )
    op.create_table('progress_key_rollup_state',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('rolled_until', sa.Date(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('municipalities', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_progress_key_rollup_state_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_progress_key_rollup_state'))
    )
    with op.batch_alter_table('help_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_session_ends_at'), ['ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('help_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_session_ends_at'))
    op.drop_table('progress_key_rollup_state')
    op.drop_table('progress_key_first_day')
    op.drop_table('progress_rollup_state')
    op.drop_index('ix_progress_day_figure_kind_day', table_name='progress_day_figure')
    op.drop_table('progress_day_figure')
