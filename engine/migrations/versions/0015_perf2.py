"""The inbox reads from the task rows alone (issue 10, 1,000,000 open cases):

* ``tasks.organisation``: the case's organisation, filled here from ``cases`` and from now on
  written with every task row by ``Repository.sync_index`` (a case never changes organisation);
* three partial indexes over open tasks in the inbox's order (due date, created, id), one per kind
  of branch a view is made of (engine/app/inbox.py): a team's lane (unclaimed), a person's own
  tasks, and an organisation's.

Revision ID: 0015_perf2
Revises: 0014_admin2
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_perf2"
down_revision = "0014_admin2"
branch_labels = None
depends_on = None

OPEN = "status = 'open'"
OPEN_UNCLAIMED = "status = 'open' AND claimed_by IS NULL"
OPEN_CLAIMED = "status = 'open' AND claimed_by IS NOT NULL"  # never chosen for "claimed_by IS NULL"
INDEXES = (
    ("ix_tasks_open_team", ["organisation", "lane", "due_at", "created_at", "id"], OPEN_UNCLAIMED),
    ("ix_tasks_open_mine", ["claimed_by", "organisation", "due_at", "created_at", "id"], OPEN_CLAIMED),
    ("ix_tasks_open_organisation", ["organisation", "due_at", "created_at", "id"], OPEN),
)


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("organisation", sa.String(64), nullable=True))
    op.execute("UPDATE tasks SET organisation = (SELECT cases.organisation FROM cases "
               "WHERE cases.id = tasks.case_id)")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("organisation", existing_type=sa.String(64), nullable=False)
    for name, columns, where in INDEXES:
        op.create_index(name, "tasks", columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE tasks")


def downgrade() -> None:
    for name, _columns, _where in INDEXES:
        op.drop_index(name, table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("organisation")
