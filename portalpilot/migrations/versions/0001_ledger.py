"""The ledger as it was before Alembic, plus the policy's admissions.

A ledger made by earlier versions (tables created with CREATE TABLE IF NOT EXISTS, later
columns added in place) is adopted as it is: this revision creates only the tables,
columns and indexes that are missing, so no row is touched.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here, as this revision makes them: later revisions change them, not this one.
TABLES: dict[str, Callable[[], list[sa.Column[object]]]] = {
    "runs": lambda: [
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("flow", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("origin", sa.Text),
        sa.Column("dry_run", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("workers", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("report", sa.Text),
    ],
    "items": lambda: [
        sa.Column("run_id", sa.Text, sa.ForeignKey("runs.run_id"), primary_key=True),
        sa.Column("row", sa.Integer, primary_key=True),
        sa.Column("flow", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("item_key", sa.Text, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("result", sa.Text),
        sa.Column("started_at", sa.Text),
        sa.Column("finished_at", sa.Text),
        sa.Column("subject", sa.Text),
    ],
    "confirmations": lambda: [
        sa.Column("token", sa.Text, primary_key=True),
        sa.Column("flow", sa.Text, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("input_hash", sa.Text, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("plan_hash", sa.Text, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("client", sa.Text),
        sa.Column("approval", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("run_id", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Text, nullable=False),
        sa.Column("used_at", sa.Text),
    ],
    "agent_calls": lambda: [
        sa.Column("call_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("client", sa.Text),
        sa.Column("tool", sa.Text, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
        sa.Column("token", sa.Text),
        sa.Column("plan", sa.Text),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("run_id", sa.Text),
        sa.Column("duration_s", sa.Float),
    ],
    "changes": lambda: [
        sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("flow", sa.Text, nullable=False),
        sa.Column("run_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("clicked_at", sa.Text, nullable=False),
        sa.Column("settled_at", sa.Text),
    ],
    "admissions": lambda: [
        sa.Column("flow", sa.Text, primary_key=True),
        sa.Column("account", sa.Text, primary_key=True),
        sa.Column("day", sa.Text, primary_key=True),
        sa.Column("item_key", sa.Text, primary_key=True),
        sa.Column("amount", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
    ],
}
INDEXES = {
    "items_by_key": ("items", ["flow", "account", "item_key", "status"]),
    "changes_by_key": ("changes", ["account", "key"]),
}
AUTOINCREMENT = {"agent_calls", "changes"}  # SQLite: ids never reused, as before


def upgrade() -> None:
    found = sa.inspect(op.get_bind())
    have = set(found.get_table_names())
    for name, columns in TABLES.items():
        if name not in have:
            op.create_table(name, *columns(), sqlite_autoincrement=name in AUTOINCREMENT)
            continue
        # An older ledger: the columns later versions added in place (runs.report,
        # items.subject), added here if it lacks them. They are all nullable.
        present = {column["name"] for column in found.get_columns(name)}
        for column in columns():
            if column.name not in present:
                assert column.nullable, f"{name}.{column.name} cannot be added to old rows"
                op.add_column(name, column)
    for index, (table, names) in INDEXES.items():
        if index not in {i["name"] for i in found.get_indexes(table)}:
            op.create_index(index, table, names)


def downgrade() -> None:
    # The ledger is a record of what was done with money: it is never dropped by a tool.
    raise NotImplementedError("the first revision of the ledger is not undone")
