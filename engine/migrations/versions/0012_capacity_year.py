"""Places per calendar year: a number of places per year (a schedule), batches of places, and
longer period keys (a year with the partner a batch belongs to, e.g. ``2027/diamant_groep``).

Revision ID: 0012_capacity_year
Revises: 0011_capacity
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_capacity_year"
down_revision = "0011_capacity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("capacity") as batch:
        batch.add_column(sa.Column("schedule", sa.Text, nullable=True))
        batch.add_column(sa.Column("batch", sa.Integer, nullable=True))
    with op.batch_alter_table("capacity_use") as batch:
        batch.alter_column("period", type_=sa.String(48), existing_type=sa.String(16), existing_nullable=False)
    with op.batch_alter_table("placements") as batch:
        batch.alter_column("period", type_=sa.String(48), existing_type=sa.String(16), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("placements") as batch:
        batch.alter_column("period", type_=sa.String(16), existing_type=sa.String(48), existing_nullable=False)
    with op.batch_alter_table("capacity_use") as batch:
        batch.alter_column("period", type_=sa.String(16), existing_type=sa.String(48), existing_nullable=False)
    with op.batch_alter_table("capacity") as batch:
        batch.drop_column("batch")
        batch.drop_column("schedule")
