"""Readable case numbers (``2026-000123``): cases.case_number and a counter per year;
existing cases are numbered in order of their start.

Revision ID: 0006_case_number
Revises: 0005_admin
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_case_number"
down_revision = "0005_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_numbers",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("case_number", sa.String(16), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, started_at FROM cases ORDER BY started_at, id")).all()
    last: dict[int, int] = {}
    for case_id, started_at in rows:
        year = int(str(started_at)[:4])
        last[year] = last.get(year, 0) + 1
        conn.execute(sa.text("UPDATE cases SET case_number = :n WHERE id = :id"),
                     {"n": f"{year}-{last[year]:06d}", "id": case_id})
    for year, seq in last.items():
        conn.execute(sa.text("INSERT INTO case_numbers (year, last) VALUES (:y, :s)"), {"y": year, "s": seq})
    op.create_index("ix_cases_case_number", "cases", ["case_number"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_cases_case_number", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("case_number")
    op.drop_table("case_numbers")
