"""The database under the ledger: one SQLite file on one machine, PostgreSQL for a team.

`PORTALPILOT_DATABASE_URL` unset: `<state_dir>/ledger.sqlite3`, as always; nothing to
start or run. Set (`postgresql://user@host:5432/db`): every robot, on every machine,
shares that database. The ledger (`_ledger.py`), the commit guard's intents (`_guard.py`)
and the policy's admissions (`_agent/policy.py`) run the same SQLAlchemy Core code on both.

The schema is versioned by Alembic (`portalpilot/migrations/`) and brought up to date
when a database is first opened: SQLite under `BEGIN IMMEDIATE`, PostgreSQL under an
advisory lock, so that several processes opening a new or older database at once upgrade
it once. `upgrade(url)` does it on purpose (`portalpilot ledger upgrade`), and
`migrate_sqlite` imports a machine's ledger into a shared database.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from portalpilot._settings import Settings

LEDGER_FILE = "ledger.sqlite3"
VERSION_TABLE = "portalpilot_version"  # not `alembic_version`: the database may be shared
ACCEPTED = "postgresql://…, postgresql+psycopg://… or sqlite:///<path>"
BUSY_TIMEOUT_S = 30  # how long a SQLite writer waits for another's lock
_IMMEDIATE = "portalpilot_immediate"  # execution option: SQLite's BEGIN IMMEDIATE
_DURABLE = "portalpilot_durable"  # execution option: SQLite's synchronous=FULL

# --- the schema as the code sees it (the migrations make it; a test compares both) --------

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("flow", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # cli, batch, agent
    sa.Column("origin", sa.Text),  # the batch file, or the agent client's name
    sa.Column("dry_run", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("workers", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("state", sa.Text, nullable=False),  # running, finished, stopped
    sa.Column("note", sa.Text),
    sa.Column("started_at", sa.Text, nullable=False),  # times: local ISO 8601 text (stamp())
    sa.Column("finished_at", sa.Text),
    sa.Column("report", sa.Text),  # where the batch's report is written
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("run_id", sa.Text, sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("row", sa.Integer, primary_key=True),  # line number in the batch file
    sa.Column("flow", sa.Text, nullable=False),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("item_key", sa.Text, nullable=False),  # the order (and lines) it is about
    sa.Column("input", sa.Text, nullable=False),  # the validated input, JSON
    # pending, in_progress, done, refused, duplicate, failed, unknown
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("result", sa.Text),  # the result object, JSON
    sa.Column("started_at", sa.Text),
    sa.Column("finished_at", sa.Text),
    sa.Column("subject", sa.Text),  # the order as typed (the result's reference)
    sa.Index("items_by_key", "flow", "account", "item_key", "status"),
)

# Agent tools: a plan's confirmation token, bound to one input and one plan.
confirmations = sa.Table(
    "confirmations",
    metadata,
    sa.Column("token", sa.Text, primary_key=True),
    sa.Column("flow", sa.Text, nullable=False),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),  # the order the plan is about
    sa.Column("input_hash", sa.Text, nullable=False),
    sa.Column("input", sa.Text, nullable=False),  # the validated input, JSON
    sa.Column("plan_hash", sa.Text, nullable=False),
    sa.Column("plan", sa.Text, nullable=False),  # the dry run's result, JSON
    sa.Column("client", sa.Text),  # the agent client's name (MCP handshake)
    sa.Column("approval", sa.Text, nullable=False),  # not_required, waiting, approved, rejected
    sa.Column("decided_by", sa.Text),
    sa.Column("decided_at", sa.Text),
    sa.Column("state", sa.Text, nullable=False),  # open, applying, used, stale
    sa.Column("run_id", sa.Text),  # the run that applied it
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Text, nullable=False),
    sa.Column("used_at", sa.Text),
)

# Agent tools: every call, whatever came of it (the audit trail).
agent_calls = sa.Table(
    "agent_calls",
    metadata,
    sa.Column("call_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("client", sa.Text),
    sa.Column("tool", sa.Text, nullable=False),
    sa.Column("input", sa.Text, nullable=False),  # the arguments as sent, JSON
    sa.Column("token", sa.Text),
    sa.Column("plan", sa.Text),  # the plan the call saw, JSON
    sa.Column("outcome", sa.Text, nullable=False),  # planned, done, refused, invalid, ...
    sa.Column("answer", sa.Text, nullable=False),  # what the agent was told, JSON
    sa.Column("run_id", sa.Text),
    sa.Column("duration_s", sa.Float),
    sqlite_autoincrement=True,  # ids never reused: "latest" is the largest
)

# The commit guard's intents (`_guard.py`): written durably before every click.
changes = sa.Table(
    "changes",
    metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account", sa.Text, nullable=False),  # portal account (portal, address, login)
    sa.Column("key", sa.Text, nullable=False),  # the change: order, line, action, digest
    sa.Column("flow", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # clicking, done, absent, unknown
    sa.Column("note", sa.Text),
    sa.Column("clicked_at", sa.Text, nullable=False),
    sa.Column("settled_at", sa.Text),
    sa.Index("changes_by_key", "account", "key"),
    sqlite_autoincrement=True,  # the latest click of a key is its largest change_id
)

# The operator policy's admissions (`_agent/policy.py`): actions let through today and
# maybe not done yet, counted with the done items under a lock so that no two processes
# overshoot a day's limits together. A refused action's admission is deleted.
admissions = sa.Table(
    "admissions",
    metadata,
    sa.Column("flow", sa.Text, primary_key=True),
    sa.Column("account", sa.Text, primary_key=True),
    sa.Column("day", sa.Text, primary_key=True),  # local date, ISO (2026-11-25)
    sa.Column("item_key", sa.Text, primary_key=True),
    sa.Column("amount", sa.Text, nullable=False),  # a decimal string, never a float
    sa.Column("at", sa.Text, nullable=False),
)

# --- URLs -------------------------------------------------------------------------------


def normalise_url(url: str) -> str:
    """The SQLAlchemy URL for a setting: `postgresql://` drives psycopg 3; ValueError for
    anything but PostgreSQL or a SQLite file, naming what is accepted."""
    text = url.strip()
    if text.startswith("postgresql://"):
        text = "postgresql+psycopg://" + text.removeprefix("postgresql://")
    if text.startswith("postgresql+psycopg://"):
        try:
            parsed = make_url(text)
        except sa.exc.ArgumentError:
            parsed = None
        if parsed is None or not parsed.database:
            raise ValueError(f"{_shown(url)} names no database; give {ACCEPTED}")
        return text
    if text.startswith("sqlite:///") and text.removeprefix("sqlite:///").strip():
        return text
    raise ValueError(f"{_shown(url)} is not a database this tool uses; give {ACCEPTED}")


def _shown(url: str) -> str:
    """A URL fit for messages and logs: its password hidden."""
    try:
        return repr(make_url(url.strip()).render_as_string(hide_password=True))
    except sa.exc.ArgumentError:
        return "the address given"


def shown(url: str) -> str:
    """Where a database is, for people: a SQLite file's path, or the URL without password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


def sqlite_url(state_dir: Path) -> str:
    """The embedded ledger of a state dir (made if missing)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(state_dir / LEDGER_FILE).absolute()}"


def database_url(settings: Settings) -> str:
    """The database in force: `PORTALPILOT_DATABASE_URL`, else the state dir's SQLite file."""
    if settings.database_url:
        return normalise_url(settings.database_url)
    return sqlite_url(settings.state_dir)


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


# --- engines ----------------------------------------------------------------------------

_engines: dict[tuple[int, str], Engine] = {}
_engines_lock = threading.Lock()


def engine(url: str) -> Engine:
    """The engine of `url` (one per URL per process: a forked child makes its own)."""
    url = normalise_url(url)
    key = (os.getpid(), url)
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = _create(url)
    return found


def _create(url: str) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    # A connection per use, as the ledger always did: nothing held open between calls (a
    # state dir can be removed), nothing shared across threads or a fork.
    created = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_S})

    # pysqlite opens transactions itself, late and never for DDL; SQLAlchemy's documented
    # recipe turns that off and emits BEGIN here, so that transactions mean what they say
    # and a writer can ask for BEGIN IMMEDIATE (the write lock first, then its reads).
    @sa.event.listens_for(created, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(created, "begin")
    def _begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        # FULL: the commit survives a power cut (the commit guard's intent, written before
        # a click that moves money). NORMAL for the rest, as the ledger always was: in WAL
        # mode a power cut may lose the last commits, never the file's consistency.
        durable = "FULL" if options.get(_DURABLE) else "NORMAL"
        connection.exec_driver_sql(f"PRAGMA synchronous={durable}")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_IMMEDIATE) else "BEGIN")

    return created


@contextmanager
def writing(bind: Engine, *, durable: bool = False) -> Iterator[Connection]:
    """A write transaction: on SQLite it takes the write lock first (BEGIN IMMEDIATE), so
    that a read-then-write cannot fail half-way on another process's write. `durable`:
    SQLite syncs it to disk before the commit returns (PostgreSQL always does)."""
    with bind.connect() as connection:
        connection.execution_options(**{_IMMEDIATE: True, _DURABLE: durable})
        with connection.begin():
            yield connection


def lock(connection: Connection, name: str) -> None:
    """Serialise a transaction with every other that takes the lock `name`, in any process.

    PostgreSQL: a transaction-level advisory lock. SQLite: the transaction already holds
    the database's one write lock (see `writing`).
    """
    if not is_sqlite(connection):
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(name))))


# --- migrations -------------------------------------------------------------------------


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "portalpilot:migrations")
    config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def revision(connection: Connection) -> str | None:
    """The schema version of a database (None: made by no migration, or empty)."""
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def open_engine(url: str) -> Engine:
    """The engine of `url`, its schema brought up to date first if it is not."""
    found = engine(url)
    with found.connect() as connection:
        current = revision(connection)
    if current != head():
        _upgrade(found)
    return found


def upgrade(url: str) -> str | None:
    """Bring the database at `url` to the latest schema (`portalpilot ledger upgrade`);
    the revision it is at."""
    found = engine(url)
    _upgrade(found)
    with found.connect() as connection:
        return revision(connection)


def _upgrade(bind: Engine) -> None:
    with writing(bind, durable=True) as connection:
        lock(connection, "portalpilot.migrations")
        # Another process may have upgraded it while this one waited for the lock.
        if revision(connection) != head():
            command.upgrade(_config(connection), "head")


# --- one machine's ledger into a shared database ------------------------------------------

# Tables whose rows are named by their content, not by the id the database gave them: a
# copy gets a new id (ids of two databases collide), and is skipped when a row with the
# same content is already there, so that an import run twice adds nothing.
_SURROGATE = {
    "agent_calls": ("call_id", ("at", "tool", "client", "input", "run_id")),
    "changes": ("change_id", ("account", "key", "run_id", "clicked_at")),
}


def migrate_sqlite(sqlite_path: Path | str, to_url: str) -> dict[str, int]:
    """Copy a SQLite ledger into the database at `to_url`; rows copied per table.

    Both are upgraded to the latest schema first. Rows already there (same primary key,
    or same content for the tables with generated ids) are left alone: running it twice
    copies nothing the second time.
    """
    path = Path(sqlite_path)
    if not path.is_file():
        raise FileNotFoundError(f"no ledger at {path}")
    source = open_engine(f"sqlite:///{path.absolute()}")
    target = open_engine(to_url)
    copied: dict[str, int] = {}
    with source.connect() as reading, writing(target) as connection:
        for table in metadata.sorted_tables:  # parents first (runs before items)
            rows = [dict(row) for row in reading.execute(sa.select(table)).mappings()]
            copied[table.name] = _copy(connection, table, rows)
    return copied


def _copy(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    if table.name in _SURROGATE:
        generated, natural = _SURROGATE[table.name]
        columns = [table.c[name] for name in natural]
        have = {tuple(row) for row in connection.execute(sa.select(*columns))}
        fresh = []
        for row in sorted(rows, key=lambda r: r[generated]):  # the order of the clicks kept
            identity = tuple(row[name] for name in natural)
            if identity not in have:
                have.add(identity)
                fresh.append({k: v for k, v in row.items() if k != generated})
        if fresh:
            connection.execute(sa.insert(table), fresh)
        return len(fresh)
    keys = [column.name for column in table.primary_key.columns]
    dialect = sqlite if is_sqlite(connection) else postgresql
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=keys)
    # RETURNING names only the rows inserted: those skipped as already there are not.
    inserted = connection.execute(statement.returning(*table.primary_key.columns), rows)
    return len(inserted.all())
