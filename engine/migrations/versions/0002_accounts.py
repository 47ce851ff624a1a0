"""Accounts: organisations, users, memberships, web sessions, API tokens, task drafts,
access log; inbox indexes.

Revision ID: 0002_accounts
Revises: 0001_engine
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_engine"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("blocked", sa.Boolean, nullable=False),
        sa.Column("blocked_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("password_changed_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("last_failed_at", TS, nullable=True),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("organisation", sa.String(64), sa.ForeignKey("organisations.key"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("lane", sa.String(100), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("user_id", "organisation", "role", "lane", name="uq_membership"),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"])
    op.create_index("ix_memberships_org_role", "memberships", ["organisation", "role"])
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=True),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user_id", "ended_at"])
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("processing_activity", sa.String(100), nullable=False),
        sa.Column("data_subject_id", sa.String(64), nullable=True),
        sa.Column("data_subject_id_type", sa.String(32), nullable=True),
        sa.Column("details", sa.Text, nullable=True),
    )
    op.create_index("ix_access_log_case", "access_log", ["case_id", "started_at"])
    op.create_index("ix_access_log_user", "access_log", ["user_id", "started_at"])
    op.create_index("ix_access_log_subject", "access_log", ["data_subject_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("last_used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "task_drafts",
        sa.Column("task_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("saved_at", TS, nullable=False),
    )
    # The inbox: a consultant's claimed tasks by due date, and open tasks by due date.
    op.create_index("ix_tasks_claimed_due", "tasks", ["claimed_by", "status", "due_at"])
    op.create_index("ix_tasks_status_due", "tasks", ["status", "due_at"])
    op.create_index("ix_tasks_open_unclaimed_lane", "tasks", ["status", "claimed_by", "lane", "due_at"])
    if op.get_bind().dialect.name == "postgresql":
        # A consultant has few open tasks but many completed ones: without statistics on the
        # combination, PostgreSQL guesses thousands of rows for "claimed by me and open" and scans.
        op.execute("CREATE STATISTICS IF NOT EXISTS st_tasks_status_claimed (mcv, dependencies) "
                   "ON status, claimed_by FROM tasks")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_tasks_status_claimed")
    op.drop_index("ix_tasks_open_unclaimed_lane", "tasks")
    op.drop_index("ix_tasks_status_due", "tasks")
    op.drop_index("ix_tasks_claimed_due", "tasks")
    for table in ("task_drafts", "api_tokens", "access_log", "web_sessions", "memberships", "users",
                  "organisations"):
        op.drop_table(table)
