"""Account changes in a hash-chained trail of their own, blocking per organisation, and
indexes for *Zoek cliënt* (newest cases of an organisation with their names; birth date).

Revision ID: 0012_admin2
Revises: 0011_capacity
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_admin2"
down_revision = "0011_capacity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_org_started_name", "cases", ["organisation", "started_at", "client_name", "id"])
    op.create_index("ix_cases_birthdate", "cases", ["birthdate"])
    op.create_table(
        "organisation_blocks",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("organisation", sa.String(64), sa.ForeignKey("organisations.key"), primary_key=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("seq", name="uq_account_events_seq"),
    )
    op.create_index("ix_account_events_subject", "account_events", ["subject", "seq"])
    op.create_index("ix_account_events_at", "account_events", ["at"])
    op.create_table(
        "account_event_scopes",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("account_events.id"), primary_key=True),
        sa.Column("organisation", sa.String(64), primary_key=True),
    )
    op.create_index("ix_account_event_scopes_org", "account_event_scopes", ["organisation", "event_id"])
    op.create_table(
        "account_trail_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_trail_head")
    op.drop_index("ix_account_event_scopes_org", "account_event_scopes")
    op.drop_table("account_event_scopes")
    op.drop_index("ix_account_events_at", "account_events")
    op.drop_index("ix_account_events_subject", "account_events")
    op.drop_table("account_events")
    op.drop_table("organisation_blocks")
    op.drop_index("ix_cases_birthdate", "cases")
    op.drop_index("ix_cases_org_started_name", "cases")
