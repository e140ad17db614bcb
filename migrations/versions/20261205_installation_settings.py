"""installation settings: the installation's name, logo and main colour

One row (id 1); without it an installation is "digicoach" in the house colour.

Revision ID: d14a1b2c3d01
Revises: c13a0f1e2d01
Create Date: 2026-12-05 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import digicoach.core.db


# revision identifiers, used by Alembic.
revision = 'd14a1b2c3d01'
down_revision = 'c13a0f1e2d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('installation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=False),
    sa.Column('logo_digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', digicoach.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_installation_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installation_settings'))
    )


def downgrade():
    op.drop_table('installation_settings')
