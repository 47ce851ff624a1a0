"""Account changes in a hash-chained trail of their own, blocking per organisation, and
indexes for *Zoek cliënt*: newest cases of an organisation with their names, birth date,
and a trigram index for a search on part of a name — on SQLite an FTS5 table
``case_names`` kept by triggers, on PostgreSQL a pg_trgm GIN index on lower(client_name).

Revision ID: 0014_admin2
Revises: 0013_audit3
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_admin2"
down_revision = "0013_audit3"
branch_labels = None
depends_on = None


# Part of a name, any case, through trigrams (SQLite 3.34+). The case id is a column of its
# own, not the rowid: a VACUUM may renumber the rowids of a table without an integer key.
SQLITE_NAME_INDEX = (
    "CREATE VIRTUAL TABLE case_names USING fts5(client_name, case_id UNINDEXED, tokenize='trigram')",
    "INSERT INTO case_names (client_name, case_id) SELECT client_name, id FROM cases",
    "CREATE TRIGGER case_names_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_names (client_name, case_id) VALUES (new.client_name, new.id); END",
    "CREATE TRIGGER case_names_delete AFTER DELETE ON cases BEGIN "
    "DELETE FROM case_names WHERE case_id = old.id; END",
    "CREATE TRIGGER case_names_update AFTER UPDATE OF client_name ON cases BEGIN "
    "DELETE FROM case_names WHERE case_id = old.id; "
    "INSERT INTO case_names (client_name, case_id) VALUES (new.client_name, new.id); END",
)


def upgrade() -> None:
    op.create_index("ix_cases_org_started_name", "cases", ["organisation", "started_at", "client_name", "id"])
    op.create_index("ix_cases_birthdate", "cases", ["birthdate"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_NAME_INDEX:
            op.execute(statement)
    elif bind.dialect.name == "postgresql" and bind.exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_cases_name_trgm ON cases USING gin (lower(client_name) gin_trgm_ops)")
    op.create_table(
        "organisation_blocks",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("organisation", sa.String(64), sa.ForeignKey("organisations.key"), primary_key=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("organisation", sa.String(64), nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("seq", name="uq_account_events_seq"),
    )
    op.create_index("ix_account_events_subject", "account_events", ["subject", "seq"])
    op.create_index("ix_account_events_at", "account_events", ["at"])
    op.create_table(
        "account_event_scopes",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("account_events.id"), primary_key=True),
        sa.Column("organisation", sa.String(64), primary_key=True),
    )
    op.create_index("ix_account_event_scopes_org", "account_event_scopes", ["organisation", "event_id"])
    op.create_table(
        "account_trail_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    # the head exists from the start: the first two account changes at once queue on it too
    op.execute("INSERT INTO account_trail_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")


def downgrade() -> None:
    op.drop_table("account_trail_head")
    op.drop_index("ix_account_event_scopes_org", "account_event_scopes")
    op.drop_table("account_event_scopes")
    op.drop_index("ix_account_events_at", "account_events")
    op.drop_index("ix_account_events_subject", "account_events")
    op.drop_table("account_events")
    op.drop_table("organisation_blocks")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("case_names_insert", "case_names_delete", "case_names_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS case_names")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_name_trgm")
    op.drop_index("ix_cases_birthdate", "cases")
    op.drop_index("ix_cases_org_started_name", "cases")
