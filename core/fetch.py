"""Reading query results column-wise: Arrow on DuckDB, `COPY … TO STDOUT` on PostgreSQL, independent queries side by
side on a server, and per-statement PostgreSQL planner settings."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import sqlalchemy as sa

from core.db import DatabaseError


def driver_connection(conn: sa.Connection) -> Any:
    """The DBAPI driver's own connection object (DuckDB's or psycopg's) under a SQLAlchemy connection."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise DatabaseError("соединение с базой данных закрыто")
    return raw


def fetch_arrow(conn: sa.Connection, stmt: sa.Select[Any]) -> Any:
    """DuckDB only: run a Core statement and return its result as a pyarrow Table (no per-row Python objects)."""
    if conn.dialect.name != "duckdb":
        raise ValueError(f"fetch_arrow needs DuckDB, not {conn.dialect.name}")
    compiled = stmt.compile(dialect=conn.dialect)
    params = [compiled.params[name] for name in (compiled.positiontup or [])]
    raw = driver_connection(conn)
    raw.complete()  # finish a result SQLAlchemy left half-read (e.g. by has_table) before a new query
    return raw.sql(str(compiled), params=params).to_arrow_table()


def fetch_frame(conn: sa.Connection, stmt: sa.Select[Any]) -> pd.DataFrame:
    """Run a Core statement and return its result as a DataFrame, column-wise where the driver allows."""
    if conn.dialect.name == "duckdb":
        return fetch_arrow(conn, stmt).to_pandas()
    if conn.dialect.name == "clickhouse":
        from core.clickhouse import fetch_arrow as fetch_clickhouse_arrow

        return fetch_clickhouse_arrow(conn, stmt).to_pandas()
    if conn.dialect.name == "postgresql" and isinstance(stmt, sa.Select):
        return _fetch_postgres_copy(conn, stmt)
    result = conn.execute(stmt)
    columns = list(result.keys())
    return pd.DataFrame.from_records(result.fetchall(), columns=columns, coerce_float=True)


POSTGRESQL_SETTINGS = "rfma_postgresql_settings"  # execution option: planner settings for one statement


def with_postgresql_settings(stmt: sa.Select, **settings: str) -> sa.Select:
    """The statement with PostgreSQL settings (e.g. enable_hashagg='off') applied while it runs, on PostgreSQL only."""
    return stmt.execution_options(**{POSTGRESQL_SETTINGS: settings})


def _fetch_postgres_copy(conn: sa.Connection, stmt: sa.Select) -> pd.DataFrame:
    """PostgreSQL: `COPY (query) TO STDOUT` as CSV parsed by Arrow — column-wise, cheaper than fetching rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    compiled = stmt.compile(dialect=conn.dialect)
    types = {}
    for column in stmt.selected_columns:
        if isinstance(column.type, sa.String):
            types[column.name] = pa.string()
        elif isinstance(column.type, sa.Boolean):
            types[column.name] = pa.bool_()
    buffer = io.BytesIO()
    cursor = driver_connection(conn).cursor()
    settings = stmt.get_execution_options().get(POSTGRESQL_SETTINGS, {})
    previous = {}
    for name, value in settings.items():  # for this statement only: set_config(…, is_local) then restored
        cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", (name, name, value))
        previous[name] = cursor.fetchone()[0]
    with cursor.copy(f"COPY ({compiled.string}) TO STDOUT WITH (FORMAT csv, HEADER true)", compiled.params) as copy:
        for chunk in copy:
            buffer.write(chunk)
    for name, value in previous.items():
        cursor.execute("SELECT set_config(%s, %s, true)", (name, value))
    buffer.seek(0)
    options = pacsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, true_values=["t"], false_values=["f"]
    )  # PostgreSQL's CSV: NULL is an unquoted empty field, '' a quoted one; booleans are t/f
    return pacsv.read_csv(buffer, convert_options=options).to_pandas()


def fetch_frames(conn: sa.Connection, statements: list[sa.Select[Any]]) -> list[pd.DataFrame]:
    """Run independent read queries; on server backends each in its own connection at once.

    A server executes most aggregations on one core per query, so three queries side by side use the
    machine's cores; DuckDB and ClickHouse already parallelise inside one query and run them one after another.
    """
    if conn.dialect.name in ("duckdb", "clickhouse") or len(statements) < 2:
        return [fetch_frame(conn, statement) for statement in statements]

    def run(statement):
        with conn.engine.connect() as connection:
            return fetch_frame(connection, statement)

    with ThreadPoolExecutor(max_workers=len(statements)) as pool:
        return list(pool.map(run, statements))
