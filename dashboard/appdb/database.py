"""The application database's schema and engines: what the app itself writes (the chain's threshold sets, users,
the audit log).

A SQLAlchemy URL (`RFMA_APP_DATABASE_URL`, `rfma --app-db`); the embedded default is a SQLite file in the state
directory, PostgreSQL in production. It is apart from the cheques database, so the dashboard never needs a write
lock on the cheques and `rfma import` can run while it serves. Tables are created when missing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from core.db import DatabaseError, first_line
from dashboard.process_engines import ProcessEngines

ENV_APP_DATABASE_URL = "RFMA_APP_DATABASE_URL"
APP_DATABASE_FILE = "rfma-app.sqlite"

metadata = sa.MetaData()

# One row per save of a chain's threshold set; the newest row of a source is the set in force, the rest its history.
threshold_sets = sa.Table(
    "threshold_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False, index=True),  # the cheques database (URL without password)
    sa.Column("pins", sa.Text, nullable=False),  # JSON {name: value} of the pinned thresholds; {} = all suggested
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("origin", sa.Text, nullable=False),  # 'панель', 'rfma', 'pins.json'
)

# The people who may log in: a hashed password (werkzeug's scrypt), a role, and a session version that a password
# change, a role change or a disable bumps, so every session issued before stops working.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("login", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("session_version", sa.Integer, nullable=False, default=1),
    sa.Column("sources", sa.Text, nullable=False, default="*"),  # JSON list of granted data sources, or '*'
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# What happened, by whom: logins, client-list downloads, threshold-set saves, user changes.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),  # UTC
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("rows", sa.Integer),
    sa.Column("source", sa.Text, nullable=False, default=""),
)


def utc_now() -> dt.datetime:
    """Now in UTC, naive, to the second (how the application database stores moments)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def default_app_database_url(state_dir: str | Path) -> str:
    """The embedded application database: a SQLite file in the state directory."""
    return f"sqlite:///{Path(state_dir).expanduser() / APP_DATABASE_FILE}"


def source_key(database_url: str) -> str:
    """Which cheques database a record belongs to: its URL without the password."""
    try:
        return sa.engine.make_url(database_url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return database_url


_ENGINES = ProcessEngines()


def app_engine(url: str) -> sa.Engine:
    """The process's engine of an application database, its tables created on first use."""
    return _ENGINES.get(url, lambda: _open(url))


def _open(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseError(f"не удалось разобрать адрес базы приложения {url!r}: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    options: dict = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": 30}  # several gunicorn workers and the CLI write the same file
    try:
        engine = sa.create_engine(parsed, **options)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        with engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
    except (sa.exc.SQLAlchemyError, ImportError, OSError) as exc:
        raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
