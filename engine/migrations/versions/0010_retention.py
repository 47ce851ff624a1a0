"""Retention (Archiefwet): approvals of destruction lists and the records of destroyed cases.

Revision ID: 0010_retention
Revises: 0009_event_snapshot
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_retention"
down_revision = "0009_event_snapshot"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_approvals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("approved_by", sa.String(100), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("case_ids", sa.Text, nullable=False),
        sa.Column("used_by", sa.String(100), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "destruction_records",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.String(32), nullable=False, unique=True),
        sa.Column("case_number", sa.String(16), nullable=True),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("municipality", sa.String(64), nullable=False),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("term_years", sa.Integer, nullable=False),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date, nullable=False),
        sa.Column("destruction_date", sa.Date, nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=False),
        sa.Column("destroyed_by", sa.String(100), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("destruction_records")
    op.drop_table("retention_approvals")
