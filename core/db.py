"""Database access: the `bonuscheques` table, engines from URLs, the rfma_meta record, the reader decorator."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

TABLE_NAME = "bonuscheques"
META_TABLE_NAME = "rfma_meta"
ENV_DATABASE_URL = "RFMA_DATABASE_URL"
DEFAULT_DB_PATH = Path.home() / ".local" / "share" / "rfma" / "demo.duckdb"
ENV_DEFAULT_DB_PATH = "RFMA_DEMO_PATH"

CHEQUE_COLUMNS = (
    "datetime",
    "shop",
    "card",
    "bonus_earned",
    "bonus_spent",
    "summ",
    "summ_with_disc",
    "doc_id",
)
NUMERIC_COLUMNS = ("bonus_earned", "bonus_spent", "summ", "summ_with_disc")
REQUIRED_COLUMNS = ("datetime", "doc_id", "summ_with_disc")

metadata = sa.MetaData()

bonuscheques = sa.Table(
    TABLE_NAME,
    metadata,
    sa.Column("datetime", sa.DateTime, nullable=False),
    sa.Column("shop", sa.Text),
    sa.Column("card", sa.Text),
    sa.Column("bonus_earned", sa.Numeric(14, 2)),
    sa.Column("bonus_spent", sa.Numeric(14, 2)),
    sa.Column("summ", sa.Numeric(14, 2)),
    sa.Column("summ_with_disc", sa.Numeric(14, 2)),
    sa.Column("doc_id", sa.Text, nullable=False),
)

# Server backends get B-tree indexes (on a copy of the table, so DuckDB's create_all skips them):
# DuckDB scans columns and an ART index would only slow its bulk loads.
_indexed = bonuscheques.to_metadata(sa.MetaData())
# PostgreSQL's (card, datetime) index carries the summed columns (INCLUDE) and skips unidentified rows, so the
# per-client aggregation and the gap window read it in order with an index-only scan instead of hashing the table.
SERVER_INDEXES = (
    sa.Index(
        "ix_bonuscheques_client_rows",
        _indexed.c.card,
        _indexed.c.datetime,
        postgresql_include=["summ_with_disc", "summ", "bonus_earned", "bonus_spent", "shop"],
        postgresql_where=_indexed.c.card.is_not(None),
    ),
    sa.Index("ix_bonuscheques_doc_id", _indexed.c.doc_id),
)

rfma_meta = sa.Table(
    META_TABLE_NAME,
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


class DatabaseError(Exception):
    """A database that cannot be opened or read, with a one-line message for the user."""


def default_database_path() -> Path:
    """Path of the embedded demo DuckDB file (`RFMA_DEMO_PATH` overrides the default)."""
    return Path(os.environ.get(ENV_DEFAULT_DB_PATH) or DEFAULT_DB_PATH).expanduser()


def default_database_url() -> str:
    """SQLAlchemy URL of the embedded demo database file."""
    return f"duckdb:///{default_database_path()}"


def resolve_database_url(url: str | None = None) -> str:
    """The URL to use: the explicit one, else `RFMA_DATABASE_URL`, else the embedded default."""
    return url or os.environ.get(ENV_DATABASE_URL) or default_database_url()


def is_default_database(url: str) -> bool:
    """True when the URL points at the embedded demo database file."""
    return url == default_database_url()


def make_engine(url: str) -> sa.Engine:
    """A SQLAlchemy engine for a URL; raises DatabaseError with a readable message if it cannot be made."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseError(f"не удалось разобрать адрес базы данных {url!r}: {exc}") from None
    if parsed.drivername.startswith("duckdb") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.split("+")[0] in ("chdb", "clickhouse"):
        from core.clickhouse import register

        register()  # our ClickHouse dialect (core.clickhouse): chdb:///PATH embedded, clickhouse://host over HTTP
    try:
        engine = sa.create_engine(parsed)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"не удалось открыть базу данных {url!r}: {exc}") from None
    from core.writers import WRITER_PATIENCE, retry_on_lock

    return retry_on_lock(engine, WRITER_PATIENCE)  # DuckDB: wait for the dashboard's reads in flight


def describe_url(engine: sa.Engine) -> str:
    """The engine's URL with the password hidden, for display."""
    return engine.url.render_as_string(hide_password=True)


def create_tables(conn: sa.Connection) -> None:
    """Create `bonuscheques` and `rfma_meta` if missing; server backends also get the (card, datetime) index,
    PostgreSQL the write-counter trigger."""
    metadata.create_all(conn, checkfirst=True)
    if conn.dialect.name not in ("duckdb", "clickhouse"):  # ClickHouse: the MergeTree's sorting key instead
        for index in SERVER_INDEXES:
            index.create(conn, checkfirst=True)
    if conn.dialect.name == "postgresql":
        install_write_counter(conn)


# PostgreSQL: every statement that writes bonuscheques (whoever runs it) bumps a counter in rfma_meta, so the
# dashboard learns that the data changed from one indexed row instead of COUNT(*) over millions of rows.
WRITE_COUNTER_KEY = "write_counter"
WRITE_COUNTER_TRIGGER = "rfma_write_counter"
_WRITE_COUNTER_DDL = (
    f"""CREATE OR REPLACE FUNCTION rfma_bump_write_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {META_TABLE_NAME} (key, value) VALUES ('{WRITE_COUNTER_KEY}', '1')
    ON CONFLICT (key) DO UPDATE SET value = ({META_TABLE_NAME}.value::bigint + 1)::text;
    RETURN NULL;
END $$""",
)
_CREATE_WRITE_COUNTER_TRIGGER = f"""CREATE TRIGGER {WRITE_COUNTER_TRIGGER}
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE_NAME}
    FOR EACH STATEMENT EXECUTE FUNCTION rfma_bump_write_counter()"""


def install_write_counter(conn: sa.Connection) -> None:
    """PostgreSQL: the statement-level trigger that counts writes to bonuscheques in rfma_meta.

    Created only when missing: creating (or dropping) a trigger locks the table against every reader until the
    transaction ends, and an import's transaction may take minutes. Replacing the function locks no table.
    """
    for statement in _WRITE_COUNTER_DDL:
        conn.execute(sa.text(statement))
    if not _write_counter_installed(conn):
        conn.execute(sa.text(_CREATE_WRITE_COUNTER_TRIGGER))


def _write_counter_installed(conn: sa.Connection) -> bool:
    return bool(
        conn.execute(
            sa.text("SELECT count(*) FROM pg_trigger WHERE tgname = :name AND tgrelid = to_regclass(:table)"),
            {"name": WRITE_COUNTER_TRIGGER, "table": TABLE_NAME},
        ).scalar_one()
    )


def write_counter(conn: sa.Connection, meta: dict[str, str]) -> str | None:
    """PostgreSQL with the trigger installed: the write counter in `meta` (read_meta's result), which changes with
    every write; None otherwise."""
    if conn.dialect.name != "postgresql":
        return None
    return meta.get(WRITE_COUNTER_KEY, "0") if _write_counter_installed(conn) else None


def table_exists(conn: sa.Connection, name: str = TABLE_NAME) -> bool:
    """True when the named table exists in the connection's database."""
    return sa.inspect(conn).has_table(name)


def require_cheques_table(conn: sa.Connection) -> None:
    """Raise RfmaError with what to do when the database has no bonuscheques table."""
    from core.model import RfmaError

    if not table_exists(conn):
        raise RfmaError(f"в базе данных нет таблицы {TABLE_NAME}: загрузите чеки (rfma import) или демо (rfma demo)")


P = ParamSpec("P")
R = TypeVar("R")


def reads_cheques(
    function: Callable[Concatenate[sa.Connection, P], R],
) -> Callable[Concatenate[sa.Connection | sa.Engine, P], R]:
    """Decorator for readers of bonuscheques: accept an Engine or a Connection, require the table, and turn
    SQL errors into DatabaseError with a one-line message."""

    @functools.wraps(function)
    def reader(conn: sa.Connection | sa.Engine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if isinstance(conn, sa.Engine):
            with conn.connect() as connection:
                return reader(connection, *args, **kwargs)
        try:
            require_cheques_table(conn)
            return function(conn, *args, **kwargs)
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"ошибка запроса к базе данных: {first_line(exc)}") from None

    return reader


def read_meta(conn: sa.Connection) -> dict[str, str]:
    """All key/value pairs of `rfma_meta` (empty if the table is missing)."""
    if not table_exists(conn, META_TABLE_NAME):
        return {}
    rows = conn.execute(sa.select(rfma_meta.c.key, rfma_meta.c.value)).all()
    return {key: value for key, value in rows}


def write_meta(conn: sa.Connection, values: dict[str, str]) -> None:
    """Upsert key/value pairs into `rfma_meta` (inside the caller's transaction)."""
    metadata.create_all(conn, tables=[rfma_meta], checkfirst=True)
    if values:
        conn.execute(sa.delete(rfma_meta).where(rfma_meta.c.key.in_(list(values))))
        conn.execute(sa.insert(rfma_meta), [{"key": k, "value": str(v)} for k, v in values.items()])


# rfma_meta keys recording whether every row of bonuscheques has its own doc_id (a one-row cheque), and for
# which state of the table (row count and import serial) that was checked.
DOC_IDS_UNIQUE_KEY = "doc_ids_unique"
DOC_IDS_CHECKED_KEY = "doc_ids_checked"


def _table_state(conn: sa.Connection, meta: dict[str, str], rows: int | None = None) -> str:
    """'<rows>:<import serial>' of bonuscheques (`rows` when the caller already counted them), plus PostgreSQL's
    write counter when its trigger is installed — then any outside write, even one keeping the row count, shows."""
    if rows is None:
        rows = conn.execute(sa.select(sa.func.count()).select_from(bonuscheques)).scalar_one()
    counter = write_counter(conn, meta)
    return f"{int(rows)}:{meta.get('import_serial', '0')}" + (f":w{counter}" if counter is not None else "")


def recorded_doc_ids_unique(conn: sa.Connection, rows: int | None = None) -> bool | None:
    """True/False as recorded in rfma_meta for the table's current state; None when unknown or out of date."""
    meta = read_meta(conn)
    recorded = meta.get(DOC_IDS_UNIQUE_KEY)
    if recorded not in ("true", "false"):
        return None
    if meta.get(DOC_IDS_CHECKED_KEY) != _table_state(conn, meta, rows):
        return None  # rows were written by someone else since the check
    return recorded == "true"


def record_doc_ids_unique(conn: sa.Connection, unique: bool | None = None) -> bool:
    """Check (or take `unique`) whether every row has its own doc_id; record it in rfma_meta (caller's transaction)."""
    t = bonuscheques
    if unique is None:
        rows, docs = conn.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(t.c.doc_id)))).one()
        unique = rows == docs
    meta = read_meta(conn)
    write_meta(conn, {DOC_IDS_UNIQUE_KEY: "true" if unique else "false", DOC_IDS_CHECKED_KEY: _table_state(conn, meta)})
    return unique


class matches_pattern(FunctionElement):
    """`text ~ pattern` (a regular-expression search) on every dialect."""

    type = sa.Boolean()
    inherit_cache = True
    name = "matches_pattern"


@compiles(matches_pattern)
def _compile_matches_default(element, compiler, **kw):
    text, pattern = list(element.clauses)
    return f"({compiler.process(text, **kw)} ~ {compiler.process(pattern, **kw)})"


@compiles(matches_pattern, "duckdb")
def _compile_matches_duckdb(element, compiler, **kw):
    # DuckDB's `~` is a full match; regexp_matches searches like PostgreSQL's `~`.
    text, pattern = list(element.clauses)
    return f"regexp_matches({compiler.process(text, **kw)}, {compiler.process(pattern, **kw)})"


@compiles(matches_pattern, "sqlite")
def _compile_matches_sqlite(element, compiler, **kw):
    text, pattern = list(element.clauses)
    return f"({compiler.process(text, **kw)} REGEXP {compiler.process(pattern, **kw)})"


@dataclass(frozen=True)
class DataSource:
    """What the dashboard shows about the database: its URL, cheque count, last cheque time."""

    url: str
    cheques: int
    first_datetime: object
    last_datetime: object
    version: str


def data_source(engine: sa.Engine, known: DataSource | None = None) -> DataSource:
    """Describe the cheques table: row count, first/last cheque time and a data-version string.

    `known` (a result of an earlier call) is returned as it is when PostgreSQL's write counter shows that nothing
    was written since — one indexed row read instead of COUNT(*), MIN and MAX over the whole table.
    """
    t = bonuscheques
    try:
        with engine.connect() as conn:
            if not table_exists(conn):
                return DataSource(describe_url(engine), 0, None, None, "empty")
            meta = read_meta(conn)
            counter = write_counter(conn, meta)
            if counter is not None and known is not None and known.version.startswith(f"w{counter}:"):
                return known
            row = conn.execute(sa.select(sa.func.count(), sa.func.min(t.c.datetime), sa.func.max(t.c.datetime))).one()
    except sa.exc.SQLAlchemyError as exc:
        raise DatabaseError(f"база данных недоступна: {first_line(exc)}") from None
    count, first, last = row
    version = f"{count}:{first}:{last}:{meta.get('import_serial', '0')}"
    if counter is not None:
        version = f"w{counter}:{version}"
    return DataSource(describe_url(engine), int(count), first, last, version)


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
