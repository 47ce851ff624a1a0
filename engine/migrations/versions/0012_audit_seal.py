"""Each case row carries a keyed seal over its newest event (id, last_seq, last_hash), so cutting
off trailing events together with the case's pointers is found by ``werkpad audit verify``
(engine/app/sealing.py). Cases from before have none (NULL) until their next event.

Revision ID: 0012_audit_seal
Revises: 0011_capacity
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_audit_seal"
down_revision = "0011_capacity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("seal", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("seal")
