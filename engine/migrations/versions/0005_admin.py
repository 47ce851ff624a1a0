"""Administrators in the browser: a password set by an administrator is temporary and
must be changed at the next login.

Revision ID: 0005_admin
Revises: 0004_inbox_searches
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_admin"
down_revision = "0004_inbox_searches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
