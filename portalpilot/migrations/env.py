"""Alembic's environment for the ledger's schema.

The code runs it itself (`portalpilot._db`): it passes the connection, inside a
transaction that holds the migration lock, in `config.attributes["connection"]`. A
developer may also run Alembic by hand, e.g. to write the next revision:

    alembic -x url=sqlite:///scratch.sqlite3 -c /dev/null \\
        --name portalpilot ... revision --autogenerate -m "what changes"

(any config whose `script_location` is `portalpilot:migrations`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from portalpilot._db import VERSION_TABLE, metadata, normalise_url


def run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite's ALTER is narrow
    )
    # Inside the caller's transaction this begins nothing: the caller commits.
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database: alembic -x url=postgresql://… (or sqlite:///…)")
    with sa.create_engine(normalise_url(url)).begin() as connection:
        run(connection)
