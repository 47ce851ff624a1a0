"""Rate-limit counters shared by all web processes (login per IP, login failures per account and IP).

Revision ID: 0007_rate_limits
Revises: 0004_inbox_searches
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_rate_limits"
down_revision = "0004_inbox_searches"
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
