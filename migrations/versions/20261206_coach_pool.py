"""coach pool: the other municipalities of a shared programme where a coach also helps

Revision ID: coachpool0001
Revises: loans0001
Create Date: 2026-12-06 03:55:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "coachpool0001"
down_revision = "loans0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "coach_municipality",
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coach.id"],
            name=op.f("fk_coach_municipality_coach_id_coach"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_coach_municipality_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "coach_id", "municipality_id", name=op.f("pk_coach_municipality")
        ),
    )
    with op.batch_alter_table("coach_municipality", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coach_municipality_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("coach_municipality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coach_municipality_municipality_id"))

    op.drop_table("coach_municipality")
