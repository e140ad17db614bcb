"""walk-in queue, programme front-desk phone, help log per walk-in

A walk-in is waiting, called (by whom, to which station), helped or left; a help log can
belong to one walk-in; a programme has the phone number its digipunten fall back on.

Revision ID: c13a0f1e2d01
Revises: 415feb5dc090
Create Date: 2026-12-05 09:02:19.720859

"""
from alembic import op
import sqlalchemy as sa

import digicoach.core.db


# revision identifiers, used by Alembic.
revision = 'c13a0f1e2d01'
down_revision = '415feb5dc090'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_in_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_help_log_walk_in_id'), ['walk_in_id'])
        batch_op.create_foreign_key(batch_op.f('fk_help_log_walk_in_id_walk_in'), 'walk_in', ['walk_in_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('front_desk_phone', sa.String(length=30), server_default='', nullable=False))

    with op.batch_alter_table('walk_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_visit', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=8), server_default='waiting', nullable=False))
        batch_op.add_column(sa.Column('called_at', digicoach.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('called_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('station', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('left_at', digicoach.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_walk_in_status_known'), "status IN ('waiting', 'called', 'helped', 'left')"
        )
        batch_op.create_index('ix_walk_in_location_day_status', ['location_id', 'day', 'status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_walk_in_called_by_id_user'), 'user', ['called_by_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('walk_in', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_walk_in_called_by_id_user'), type_='foreignkey')
        batch_op.drop_index('ix_walk_in_location_day_status')
        batch_op.drop_constraint(op.f('ck_walk_in_status_known'), type_='check')
        batch_op.drop_column('left_at')
        batch_op.drop_column('station')
        batch_op.drop_column('called_by_id')
        batch_op.drop_column('called_at')
        batch_op.drop_column('status')
        batch_op.drop_column('first_visit')

    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('front_desk_phone')

    with op.batch_alter_table('help_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_log_walk_in_id_walk_in'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_help_log_walk_in_id'), type_='unique')
        batch_op.drop_column('walk_in_id')

