"""Auditors (issues 7 and 10):

* each case row carries a keyed seal over its newest event (id, last_seq, last_hash), so cutting
  off trailing events together with the case's pointers is found by ``werkpad audit verify``
  (engine/app/sealing.py); cases from before have none (NULL) until their next event;
* ``audit_runs``: verifying a whole organisation runs in the background; its progress and its
  findings are kept;
* ``organisations.rsin``: the organisation's RSIN, the ZGW export's ``bronorganisatie``.

Revision ID: 0013_audit3
Revises: 0012_capacity_year
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_audit3"
down_revision = "0012_capacity_year"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("seal", sa.String(64), nullable=True))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("rsin", sa.String(9), nullable=True))
    op.create_table(
        "audit_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("organisation", sa.String(64), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("broken", sa.Integer, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("findings", sa.Text, nullable=True),
    )
    op.create_index("ix_audit_runs_organisation", "audit_runs", ["organisation", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_runs_organisation", table_name="audit_runs")
    op.drop_table("audit_runs")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("rsin")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("seal")
