"""Case engine: definition versions, cases, inbox tasks, timers, audit events.

Revision ID: 0001_engine
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_engine"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "definition_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("version_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("municipalities", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("deployed_at", TS, nullable=False),
        sa.Column("deployed_by", sa.String(100), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("meta", sa.Text, nullable=False),
        sa.UniqueConstraint("process_key", "version_hash", name="uq_definition_key_hash"),
    )
    op.create_index("ix_definition_versions_process_key", "definition_versions", ["process_key"])
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("definition_id", sa.Integer, sa.ForeignKey("definition_versions.id"), nullable=False),
        sa.Column("process_key", sa.String(64), nullable=False),
        sa.Column("municipality", sa.String(64), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("bsn", sa.String(9), nullable=False),
        sa.Column("client_name", sa.String(200), nullable=False),
        sa.Column("birthdate", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("phase", sa.String(32), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_cases_org_status", "cases", ["organisation", "status"])
    op.create_index("ix_cases_municipality", "cases", ["municipality"])
    op.create_index("ix_cases_bsn", "cases", ["bsn"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("lane", sa.String(100), nullable=True),
        sa.Column("form", sa.String(200), nullable=True),
        sa.Column("phase", sa.String(32), nullable=True),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("completed_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_tasks_open_lane_due", "tasks", ["status", "lane", "due_at"])
    op.create_index("ix_tasks_case_status", "tasks", ["case_id", "status"])
    op.create_index("ix_tasks_claimed", "tasks", ["claimed_by", "status"])
    op.create_table(
        "timers",
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", TS, nullable=False),
    )
    op.create_index("ix_timers_due", "timers", ["due_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("phase", sa.String(32), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
    )
    op.create_index("ix_events_case_id", "events", ["case_id"])


def downgrade() -> None:
    for table in ("events", "timers", "tasks", "cases", "definition_versions"):
        op.drop_table(table)
