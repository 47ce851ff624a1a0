"""Rate-limit counters shared by all web processes (login per IP, login failures per account and IP).

Revision ID: 0007_rate_limits
Revises: 0006_case_number
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_rate_limits"
down_revision = "0006_case_number"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_counters")
