"""Each event keeps a compact snapshot of the case's fingerprint (status, phase, tasks, timers,
messages, data) so replay can say what differs; older events have none (NULL).

Revision ID: 0009_event_snapshot
Revises: 0008_designer
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_event_snapshot"
down_revision = "0008_designer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("snapshot", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("snapshot")
