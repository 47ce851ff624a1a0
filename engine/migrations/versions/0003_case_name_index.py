"""Inbox search by name: a narrow (client_name, id) index, so a substring search scans
names instead of whole case rows with their state.

Revision ID: 0003_case_name_index
Revises: 0002_accounts
"""
from alembic import op

revision = "0003_case_name_index"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_name_id", "cases", ["client_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_name_id", "cases")
