"""referrals to a digipunt without a partner organisation: referral.organisation_id may be empty (the municipality's coordinators and desk receive it); an offer always names its organisation

Revision ID: refdigipunt0001
Revises: homevisits0001
Create Date: 2026-12-06 06:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "refdigipunt0001"
down_revision = "homevisits0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_referral_offer_with_organisation'),
            "organisation_id IS NOT NULL OR offer_id IS NULL",
        )


def downgrade():
    # Referrals to a municipality's own digipunten have no organisation to fall back on.
    op.execute("DELETE FROM referral WHERE organisation_id IS NULL")
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referral_offer_with_organisation'), type_='check')
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
