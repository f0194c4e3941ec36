"""ClickHouse as a cheques backend: a compile-only SQLAlchemy dialect and a thin DB-API layer over clickhouse-connect.

`chdb:///PATH` opens ClickHouse embedded in this process (chDB, through clickhouse-connect's chdb client),
`clickhouse://user:pass@host:8123/db` a server or cluster over HTTP. Both run the SQL that SQLAlchemy Core compiles
here, with the values bound server-side (`{name:Type}` query parameters: no value in the SQL text), and fetch
results as Arrow. ClickHouse differs from SQL where the engine would be silently wrong; the compile rules and the
session settings below make it agree with DuckDB and PostgreSQL (each pinned by tests/core/test_clickhouse.py):

- a `Date` value is a Date32 parameter (as text, `Date − String` fails), the DATE type is Date32 (CAST AS Date wraps
  a cheque of 1969 to 2148), and `date − date` is `dateDiff('day', …)` (ClickHouse has no Date32 minus);
- `lag(x)` / `lead(x)` read `toNullable(x)`: ClickHouse's give the type's default (0), not NULL, past the edge;
- the card pattern is `match()`, a regular-expression search as PostgreSQL's `~` (ClickHouse 26 reads `~` too, older
  servers do not);
- `percentile_disc(q) WITHIN GROUP (ORDER BY x)` is the q-th of the sorted values at rank ceil(q·n) (ClickHouse's
  quantileExact* differ at some q); the engine's own percentiles stay in Python over the histograms;
- `DELETE` without WHERE is `TRUNCATE`; a table is a MergeTree (bonuscheques ORDER BY (card, datetime)), a temporary
  one Memory;
- settings: outer joins, GROUPING SETS and CASTs give NULL where SQL does (join_use_nulls, group_by_use_nulls,
  cast_keep_nullable), max()/sum() of no rows is NULL, not 0 or 1970-01-01 (aggregate_functions_null_for_empty),
  times are UTC wall-clock times as written (session_timezone, DateTime64(6, 'UTC')).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from fractions import Fraction
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.engine import default
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import compiler, operators

from core.cohorts import in_list
from core.db import NUMERIC_COLUMNS, TABLE_NAME, matches_pattern

SETTINGS: dict[str, Any] = {
    "join_use_nulls": 1,
    "group_by_use_nulls": 1,
    "cast_keep_nullable": 1,
    "aggregate_functions_null_for_empty": 1,
    "session_timezone": "UTC",
}
# MergeTree sorting keys: a client's rows lie together, in time order (the per-client aggregation and the gap window
# read them in order); other tables by their primary key.
ORDER_KEYS = {TABLE_NAME: ("card", "datetime")}
INSERT_BATCH_ROWS = 500_000  # rows per INSERT when loading a frame (bounded memory per block)


# --- DB-API 2.0 layer over a clickhouse-connect client -------------------------------------------------------------


class Error(Exception):
    """Base of the DB-API errors (SQLAlchemy wraps them in sa.exc.DBAPIError)."""


class Warning(Exception):  # the DB-API name
    """DB-API warning."""


class InterfaceError(Error):
    """DB-API interface error."""


class DatabaseError(Error):
    """ClickHouse refused or failed a statement."""


class InternalError(DatabaseError):
    """DB-API internal error."""


class OperationalError(DatabaseError):
    """The database could not be reached or opened."""


class ProgrammingError(DatabaseError):
    """DB-API programming error."""


class IntegrityError(DatabaseError):
    """DB-API integrity error."""


class DataError(DatabaseError):
    """DB-API data error."""


class NotSupportedError(DatabaseError):
    """DB-API not-supported error."""


paramstyle = "pyformat"
apilevel = "2.0"
threadsafety = 1

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_RETURNS_ROWS = re.compile(r"^\s*\(*\s*(SELECT|WITH|SHOW|DESCRIBE|DESC|EXISTS|EXPLAIN)\b", re.IGNORECASE)


def parameter_type(value: Any) -> str:
    """The ClickHouse type of a bound Python value (a date is Date32: `Date − String` would fail)."""
    if value is None:
        return "Nullable(String)"
    if isinstance(value, bool):
        return "Bool"
    if isinstance(value, int):
        return "Int64"
    if isinstance(value, float):
        return "Float64"
    if isinstance(value, decimal.Decimal):
        return "Decimal(38, 10)"
    if isinstance(value, dt.datetime):
        return "DateTime64(6)"
    if isinstance(value, dt.date):
        return "Date32"
    if isinstance(value, list | tuple):
        inner = next((parameter_type(v) for v in value if v is not None), "String")
        return f"Array({inner})"
    return "String"


def server_parameters(operation: str, parameters: dict[str, Any] | None) -> str:
    """The pyformat SQL with each `%(name)s` as a typed server-side parameter `{name:Type}` (and `%%` as `%`)."""
    values = parameters or {}

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return "%" if name is None else f"{{{name}:{parameter_type(values[name])}}}"

    return _PLACEHOLDER.sub(replace, operation)


def _plain_values(parameters: dict[str, Any] | None) -> dict[str, Any]:
    """Values for clickhouse-connect's server-side binding; a time as its text (the client would send epoch seconds
    of the machine's local time, and drop the microseconds), read by the server in session_timezone (UTC)."""
    return {name: _plain_value(value) for name, value in (parameters or {}).items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def naive_arrow(table: Any) -> Any:
    """An Arrow table with UTC timestamps as naive ones (the times as written, as DuckDB returns them)."""
    import pyarrow as pa

    if not any(pa.types.is_timestamp(f.type) and f.type.tz for f in table.schema):
        return table
    fields = [pa.field(f.name, pa.timestamp(f.type.unit)) if pa.types.is_timestamp(f.type) else f for f in table.schema]
    return table.cast(pa.schema(fields))


class Cursor:
    """A DB-API cursor: every statement runs at once on the client; a result is held as an Arrow table."""

    arraysize = 1

    def __init__(self, connection: Connection):
        self.connection = connection
        self.description: list[tuple] | None = None
        self.rowcount = -1
        self._rows: list[tuple] | None = []
        self._position = 0
        self.arrow: Any = None

    def execute(self, operation: str, parameters: dict[str, Any] | None = None) -> None:
        sql = server_parameters(operation, parameters)
        client = self.connection.client
        self.description, self._rows, self._position, self.arrow = None, [], 0, None
        try:
            if _RETURNS_ROWS.match(sql):
                table = naive_arrow(client.query_arrow(sql, parameters=_plain_values(parameters)))
                self.arrow = table
                self.description = [(name, None, None, None, None, None, None) for name in table.column_names]
                self._rows = None  # decoded into Python rows only when fetched row-wise
                self.rowcount = table.num_rows
            else:
                client.command(sql, parameters=_plain_values(parameters))
                self.rowcount = -1
        except Exception as exc:
            raise DatabaseError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from exc

    def executemany(self, operation: str, seq_of_parameters) -> None:
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)

    def _decoded(self) -> list[tuple]:
        if self._rows is None:
            columns = [column.to_pylist() for column in self.arrow.columns]
            self._rows = list(zip(*columns, strict=True)) if columns else []
        return self._rows

    def fetchone(self) -> tuple | None:
        rows = self._decoded()
        if self._position >= len(rows):
            return None
        self._position += 1
        return rows[self._position - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        size = size or self.arraysize
        rows = self._decoded()[self._position : self._position + size]
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[tuple]:
        rows = self._decoded()[self._position :]
        self._position += len(rows)
        return rows

    def close(self) -> None:
        self._rows, self.arrow = [], None

    def setinputsizes(self, *args) -> None:
        pass

    def setoutputsize(self, *args) -> None:
        pass


class Connection:
    """A DB-API connection over one clickhouse-connect client (its own session: temporary tables live here).
    ClickHouse has no transactions: commit and rollback do nothing."""

    def __init__(self, client: Any):
        self.client = client

    def cursor(self) -> Cursor:
        return Cursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        self.client.close()


def connect(*, embedded_path: str | None = None, database: str | None = None, **kwargs: Any) -> Connection:
    """A DB-API connection: embedded chDB in `embedded_path` (its database created when missing), else HTTP."""
    import clickhouse_connect

    try:
        if embedded_path is not None:
            dsn = f"chdb://{embedded_path}"
            if database and database != "default":
                bootstrap = clickhouse_connect.get_client(dsn=dsn, settings=SETTINGS)
                bootstrap.command(f"CREATE DATABASE IF NOT EXISTS {_quote_identifier(database)}")
                bootstrap.close()
            client = clickhouse_connect.get_client(dsn=dsn, database=database or None, settings=SETTINGS)
        else:
            client = clickhouse_connect.get_client(database=database or "__default__", settings=SETTINGS, **kwargs)
    except Exception as exc:
        raise OperationalError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from exc
    return Connection(client)


def _quote_identifier(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


# --- compilation ---------------------------------------------------------------------------------------------------


def _is_date(type_: Any) -> bool:
    return isinstance(type_, sa.Date) and not isinstance(type_, sa.DateTime)


class ClickHouseCompiler(compiler.SQLCompiler):
    """Core statements as ClickHouse SQL (the rules of this module's docstring)."""

    def _label_select_column(self, select, column, populate_result_map, asfrom, *args, **kw):
        # every table-bound column labelled: ClickHouse names an ambiguous join column `months.month`, not `month`
        return super()._label_select_column(select, column, populate_result_map, True, *args, **kw)

    def visit_binary(
        self,
        binary,
        override_operator=None,
        eager_grouping=False,
        from_linter=None,
        lateral_from_linter=None,
        **kw,
    ):
        linters = {"from_linter": from_linter, "lateral_from_linter": lateral_from_linter}
        if binary.operator is operators.sub and _is_date(binary.left.type) and _date_like(binary.right):
            left, right = self.process(binary.left, **linters, **kw), self.process(binary.right, **linters, **kw)
            return f"dateDiff('day', {right}, {left})"
        return super().visit_binary(
            binary, override_operator=override_operator, eager_grouping=eager_grouping, **linters, **kw
        )

    def visit_function(self, func, add_to_result_map=None, **kw):
        if func.name.lower() in ("lag", "lead"):
            value, *rest = list(func.clauses)
            arguments = ", ".join([f"toNullable({self.process(value, **kw)})", *(self.process(c, **kw) for c in rest)])
            return f"{func.name.lower()}({arguments})"
        return super().visit_function(func, add_to_result_map=add_to_result_map, **kw)

    def visit_withingroup(self, withingroup, **kw):
        func = withingroup.element
        if func.name.lower() != "percentile_disc":
            return super().visit_withingroup(withingroup, **kw)
        (level,) = list(func.clauses)
        q = Fraction(str(getattr(level, "value", level)))
        (order,) = list(withingroup.order_by)
        value = self.process(order, **kw)
        rank = f"greatest(1, intDiv({q.numerator} * count({value}) + {q.denominator - 1}, {q.denominator}))"
        return f"if(count({value}) = 0, NULL, arraySort(groupArray({value}))[toUInt64({rank})])"

    def visit_values(self, element, asfrom=False, from_linter=None, visiting_cte=None, **kw):
        if not asfrom or element._unnamed or element._is_lateral:
            return super().visit_values(
                element, asfrom=asfrom, from_linter=from_linter, visiting_cte=visiting_cte, **kw
            )
        # ClickHouse has no `(VALUES …) AS name (columns)`: a UNION ALL of one-row SELECTs with the column names
        columns = list(element.columns)
        rows = []
        for chunk in element._data:
            for row in chunk:
                values = (
                    f"{self.process(sa.bindparam(None, value, type_=column.type, unique=True), **kw)} AS "
                    f"{self.preparer.quote(column.name)}"
                    for value, column in zip(row, columns, strict=True)
                )
                rows.append("SELECT " + ", ".join(values))
        name = self.preparer.quote(element.name)
        if from_linter:
            from_linter.froms[element._de_clone()] = name
        return f"({' UNION ALL '.join(rows)}){self.get_render_as_alias_suffix(name)}"

    def visit_delete(self, delete_stmt, visiting_cte=None, **kw):
        if delete_stmt.whereclause is None:
            return f"TRUNCATE TABLE {self.preparer.format_table(delete_stmt.table)}"
        return super().visit_delete(delete_stmt, visiting_cte=visiting_cte, **kw)

    def limit_clause(self, select, **kw):
        text = ""
        if select._limit_clause is not None:
            text += "\n LIMIT " + self.process(select._limit_clause, literal_binds=True, **kw)
        if select._offset_clause is not None:
            if select._limit_clause is None:
                text += "\n LIMIT 18446744073709551615"
            text += " OFFSET " + self.process(select._offset_clause, literal_binds=True, **kw)
        return text

    def render_literal_value(self, value, type_):
        if isinstance(value, dt.datetime):
            return f"toDateTime64('{value.isoformat(sep=' ')}', 6)"
        if isinstance(value, dt.date):
            return f"toDate32('{value.isoformat()}')"
        return super().render_literal_value(value, type_)


def _date_like(element) -> bool:
    """A date operand of `date − …` (a Date expression, or lag/lead of one, typed NullType by SQLAlchemy)."""
    if _is_date(element.type):
        return True
    inner = getattr(element, "element", None)  # an OVER clause: its function
    if inner is not None and getattr(inner, "name", "").lower() in ("lag", "lead"):
        return any(_is_date(c.type) for c in inner.clauses)
    return False


@compiles(in_list, "clickhouse")
def _compile_in_list_clickhouse(element, compiler, **kw):
    value, values = list(element.clauses)
    return f"has({compiler.process(values, **kw)}, {compiler.process(value, **kw)})"


@compiles(matches_pattern, "clickhouse")
def _compile_matches_clickhouse(element, compiler, **kw):
    text, pattern = list(element.clauses)
    return f"match({compiler.process(text, **kw)}, {compiler.process(pattern, **kw)})"


class ClickHouseTypeCompiler(compiler.GenericTypeCompiler):
    """SQLAlchemy types as ClickHouse's."""

    def visit_DATETIME(self, type_, **kw):
        return "DateTime64(6, 'UTC')"

    visit_datetime = visit_TIMESTAMP = visit_DATETIME

    def visit_DATE(self, type_, **kw):
        return "Date32"

    visit_date = visit_DATE

    def visit_TEXT(self, type_, **kw):
        return "String"

    visit_text = visit_string = visit_VARCHAR = visit_CHAR = visit_unicode = visit_unicode_text = visit_TEXT

    def visit_NUMERIC(self, type_, **kw):
        return f"Decimal({type_.precision or 38}, {type_.scale or 0})"

    visit_numeric = visit_DECIMAL = visit_NUMERIC

    def visit_FLOAT(self, type_, **kw):
        return "Float64"

    visit_float = visit_DOUBLE = visit_double = visit_DOUBLE_PRECISION = visit_REAL = visit_FLOAT

    def visit_INTEGER(self, type_, **kw):
        return "Int64"

    visit_integer = visit_BIGINT = visit_big_integer = visit_SMALLINT = visit_small_integer = visit_INTEGER

    def visit_BOOLEAN(self, type_, **kw):
        return "Bool"

    visit_boolean = visit_BOOLEAN


class ClickHouseDDLCompiler(compiler.DDLCompiler):
    """CREATE TABLE as a MergeTree sorted by the table's key (a temporary table: Memory)."""

    def get_column_specification(self, column, **kw):
        spec = f"{self.preparer.format_column(column)} {self.dialect.type_compiler_instance.process(column.type)}"
        return spec + (" NULL" if column.nullable else "")

    def create_table_constraints(self, table, _include_foreign_key_constraints=None, **kw):
        return ""  # the primary key is the MergeTree's sorting key (post_create_table)

    def post_create_table(self, table):
        if "TEMPORARY" in [p.upper() for p in table._prefixes]:
            return "\nENGINE = Memory"
        key = ORDER_KEYS.get(table.name) or tuple(c.name for c in table.primary_key.columns)
        order = "tuple()" if not key else "(" + ", ".join(self.preparer.quote(name) for name in key) + ")"
        nullable = any(table.c[name].nullable for name in key)
        return f"\nENGINE = MergeTree\nORDER BY {order}" + ("\nSETTINGS allow_nullable_key = 1" if nullable else "")


class ClickHouseIdentifierPreparer(compiler.IdentifierPreparer):
    """Identifiers quoted with double quotes when needed (ClickHouse's identifiers are case-sensitive)."""


class ClickHouseDialect(default.DefaultDialect):
    """ClickHouse for SQLAlchemy Core (no ORM, no reflection beyond has_table), over clickhouse-connect."""

    name = "clickhouse"
    driver = "http"
    supports_statement_cache = True
    supports_native_boolean = True
    supports_native_decimal = True
    supports_sane_rowcount = False
    supports_sane_multi_rowcount = False
    supports_multivalues_insert = True
    supports_alter = True
    supports_sequences = False
    supports_default_values = False
    supports_empty_insert = False
    postfetch_lastrowid = False
    default_paramstyle = "pyformat"
    statement_compiler = ClickHouseCompiler
    ddl_compiler = ClickHouseDDLCompiler
    type_compiler_cls = ClickHouseTypeCompiler
    preparer = ClickHouseIdentifierPreparer

    @classmethod
    def import_dbapi(cls):
        import sys

        import clickhouse_connect  # noqa: F401 - ImportError here: the `clickhouse` extra is not installed

        return sys.modules[__name__]

    def create_connect_args(self, url):
        query = dict(url.query)
        kwargs: dict[str, Any] = {
            "host": url.host or "localhost",
            "port": url.port or 8123,
            "username": url.username or "default",
            "password": url.password or "",
            "database": url.database or "default",
        }
        if query.get("secure") in ("1", "true", "True"):
            kwargs["secure"] = True
        return [], kwargs

    def connect(self, *cargs, **cparams):
        return connect(*cargs, **cparams)

    def _get_server_version_info(self, connection):
        version = connection.exec_driver_sql("SELECT version()").scalar()
        return tuple(int(part) for part in str(version).split(".")[:3] if part.isdigit())

    def _get_default_schema_name(self, connection):
        return connection.exec_driver_sql("SELECT currentDatabase()").scalar()

    def get_isolation_level(self, dbapi_connection):
        return "AUTOCOMMIT"

    def get_default_isolation_level(self, dbapi_conn):
        return "AUTOCOMMIT"

    def get_isolation_level_values(self, dbapi_conn):
        return ["AUTOCOMMIT"]

    def set_isolation_level(self, dbapi_connection, level):
        pass

    def do_begin(self, dbapi_connection):
        pass

    def do_commit(self, dbapi_connection):
        pass

    def do_rollback(self, dbapi_connection):
        pass

    def do_ping(self, dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        return True

    def has_table(self, connection, table_name, schema=None, **kw):
        query = sa.text(
            "SELECT count() FROM system.tables WHERE name = :name AND (is_temporary OR database = "
            + ("currentDatabase()" if schema is None else ":schema")
            + ")"
        )
        params = {"name": table_name} | ({} if schema is None else {"schema": schema})
        return bool(connection.execute(query, params).scalar())

    def get_table_names(self, connection, schema=None, **kw):
        rows = connection.execute(sa.text("SELECT name FROM system.tables WHERE database = currentDatabase()"))
        return [row[0] for row in rows]


class ChdbDialect(ClickHouseDialect):
    """Embedded ClickHouse (chDB) in a local directory: `chdb:///PATH` (optionally `?database=NAME`)."""

    driver = "chdb"
    supports_statement_cache = True

    def create_connect_args(self, url):
        path = unquote(url.database or "")
        if not path:
            raise sa.exc.ArgumentError("chdb URL needs a directory: chdb:///PATH")
        if not path.startswith("/"):
            path = str(__import__("pathlib").Path(path).expanduser().resolve())
        return [], {"embedded_path": path, "database": url.query.get("database") or "default"}


def register() -> None:
    """Register the `chdb://` and `clickhouse://` URL schemes with SQLAlchemy (idempotent)."""
    from sqlalchemy.dialects import registry

    registry.register("chdb", __name__, "ChdbDialect")
    registry.register("clickhouse", __name__, "ClickHouseDialect")
    registry.register("clickhouse.http", __name__, "ClickHouseDialect")
    registry.register("clickhouse.chdb", __name__, "ChdbDialect")


# --- loading and fetching ------------------------------------------------------------------------------------------


def driver_client(conn: sa.Connection) -> Any:
    """The clickhouse-connect client under a SQLAlchemy connection."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise OperationalError("соединение с базой данных закрыто")
    return raw.client


def insert_frame(conn: sa.Connection, table: str, frame: Any, batch_rows: int = INSERT_BATCH_ROWS) -> None:
    """Insert a DataFrame's rows into `table` as Arrow, `batch_rows` rows per INSERT; the money columns as
    Decimal(14, 2) rounded as DuckDB casts a double (half away from zero of x·100; ClickHouse would truncate)."""
    import pyarrow as pa

    client = driver_client(conn)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    for name in NUMERIC_COLUMNS:
        if name in arrow.column_names:
            arrow = arrow.set_column(arrow.column_names.index(name), name, money_array(frame[name]))
    for start in range(0, arrow.num_rows, batch_rows):
        client.insert_arrow(table, arrow.slice(start, batch_rows))


def money_array(values: Any) -> Any:
    """Amounts as an Arrow decimal128(14, 2) array, each rounded half away from zero at the cent (as DuckDB)."""
    import numpy as np
    import pyarrow as pa

    numbers = np.asarray(pd_to_float(values), dtype="float64")
    cents = np.sign(numbers) * np.floor(np.abs(numbers) * 100 + 0.5)
    return pa.array(cents / 100, mask=np.isnan(numbers)).cast(pa.decimal128(14, 2))


def pd_to_float(values: Any) -> Any:
    import pandas as pd

    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=float("nan"))


def fetch_arrow(conn: sa.Connection, stmt: Any) -> Any:
    """Run a Core statement on ClickHouse and return its result as an Arrow table (no per-row Python objects)."""
    result = conn.execute(stmt)
    try:
        return result.cursor.arrow
    finally:
        result.close()
