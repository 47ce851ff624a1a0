"""Inbox searches kept server-side (a searched BSN stays out of URLs).

Revision ID: 0004_inbox_searches
Revises: 0003_case_name_index
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_inbox_searches"
down_revision = "0003_case_name_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_searches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("text", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_inbox_searches_user", "inbox_searches", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_table("inbox_searches")
