"""Two task indexes fewer (issue 10: every task row written — a start, a completion — keeps each
index of ``tasks`` up to date, and a completion changes ``status``, which nearly all of them hold):

* ``ix_tasks_claimed`` (claimed_by, status) is the leading part of ``ix_tasks_claimed_due``
  (claimed_by, status, due_at), which answers every query it answered;
* ``ix_tasks_open_unclaimed_lane`` (status, claimed_by, lane, due_at) served the inbox's team view
  before migration 0015; that view now reads the partial ``ix_tasks_open_team``, and a lane's list
  outside the inbox (``werkpad tasks --lane``) reads ``ix_tasks_open_lane_due``.

Revision ID: 0016_lean_tasks
Revises: 0015_perf2
"""
from alembic import op

revision = "0016_lean_tasks"
down_revision = "0015_perf2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tasks_claimed", "tasks")
    op.drop_index("ix_tasks_open_unclaimed_lane", "tasks")


def downgrade() -> None:
    op.create_index("ix_tasks_open_unclaimed_lane", "tasks", ["status", "claimed_by", "lane", "due_at"])
    op.create_index("ix_tasks_claimed", "tasks", ["claimed_by", "status"])
