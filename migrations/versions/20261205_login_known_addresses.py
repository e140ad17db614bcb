"""login known addresses: where an account signed in successfully, for sign-in throttling

Sign-ins from such an address skip the per-address limit and the slow-down of an account
attacked from many addresses (accounts/throttle.py).

Revision ID: d16a0b0c0d01
Revises: d14a1b2c3d01
Create Date: 2026-12-05 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import digicoach.core.db


# revision identifiers, used by Alembic.
revision = 'd16a0b0c0d01'
down_revision = 'd14a1b2c3d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_known_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=False),
    sa.Column('last_success_at', digicoach.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_known_address')),
    sa.UniqueConstraint('email_key', 'ip_address', name=op.f('uq_login_known_address_email_key_ip_address'))
    )
    with op.batch_alter_table('login_known_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_known_address_last_success_at'), ['last_success_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_known_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_known_address_last_success_at'))

    op.drop_table('login_known_address')
