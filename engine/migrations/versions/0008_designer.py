"""The process designer: drafts, publications (author, approver, change note) and its audit trail.

Revision ID: 0008_designer
Revises: 0007_rate_limits
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_designer"
down_revision = "0007_rate_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "designer_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("base_definition_id", sa.Integer, sa.ForeignKey("definition_versions.id"), nullable=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("problems", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("editors", sa.Text, nullable=False),
        sa.Column("change_note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_from", sa.String(10), nullable=True),
        sa.Column("requested_by", sa.String(100), nullable=True),
        sa.Column("requested_hash", sa.String(64), nullable=True),
        sa.Column("published_definition_id", sa.Integer, sa.ForeignKey("definition_versions.id"), nullable=True),
    )
    op.create_index("ix_designer_drafts_key_status", "designer_drafts", ["process_key", "status"])
    op.create_index("ix_designer_drafts_organisation", "designer_drafts", ["organisation"])
    op.create_table(
        "designer_publications",
        sa.Column("definition_id", sa.Integer, sa.ForeignKey("definition_versions.id"), primary_key=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("designer_drafts.id"), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("approved_by", sa.String(100), nullable=False),
        sa.Column("change_note", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "designer_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft_id", sa.Integer, nullable=True),
        sa.Column("definition_id", sa.Integer, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_designer_events_key_at", "designer_events", ["process_key", "at"])


def downgrade() -> None:
    op.drop_table("designer_events")
    op.drop_table("designer_publications")
    op.drop_table("designer_drafts")
