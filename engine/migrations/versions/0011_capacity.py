"""Places as a resource: capacity limits per organisation and instrument, counters per period,
and the placements (holding a place or on the waiting list).

Revision ID: 0011_capacity
Revises: 0010_retention
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_capacity"
down_revision = "0010_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capacity",
        sa.Column("organisation", sa.String(64), primary_key=True),
        sa.Column("instrument", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("places", sa.Integer, nullable=False),
        sa.Column("per", sa.String(16), nullable=True),
    )
    op.create_table(
        "capacity_use",
        sa.Column("organisation", sa.String(64), primary_key=True),
        sa.Column("instrument", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("occupied", sa.Integer, nullable=False),
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("instrument", sa.String(64), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_placements_queue", "placements", ["organisation", "instrument", "status", "id"])
    op.create_index("ix_placements_case", "placements", ["case_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_placements_case", "placements")
    op.drop_index("ix_placements_queue", "placements")
    op.drop_table("placements")
    op.drop_table("capacity_use")
    op.drop_table("capacity")
