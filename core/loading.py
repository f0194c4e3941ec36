"""Writing cheques: bulk loads per dialect, de-duplicated appends and the demo table's replacement."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from core.db import (
    CHEQUE_COLUMNS,
    TABLE_NAME,
    bonuscheques,
    create_tables,
    read_meta,
    record_doc_ids_unique,
    recorded_doc_ids_unique,
    table_exists,
    write_meta,
)
from core.fetch import driver_connection
from core.model import RfmaError


@dataclass(frozen=True)
class AppendCounts:
    """What an append did: rows and cheques (distinct doc_id) added and skipped as already present."""

    rows_read: int
    rows_added: int
    cheques_added: int
    rows_skipped: int
    cheques_skipped: int


class ChequeConflict(RfmaError):
    """Rows whose doc_id is already in the table with another card, calendar day or shop: nothing was written.

    `existing` holds, per conflicting doc_id, the table's doc_id, card, day and shop; `rows` counts the rows."""

    def __init__(self, existing: pd.DataFrame, rows: int):
        self.existing, self.rows = existing, rows
        super().__init__(
            f"номера чеков уже загружены с другой картой, датой или аптекой: {len(existing)} (строк: {rows}); "
            "ничего не записано"
        )


def _staging_table(name: str, columns=CHEQUE_COLUMNS) -> sa.TableClause:
    types = {c.name: c.type for c in bonuscheques.columns}
    return sa.table(name, *[sa.column(c, types[c]) for c in columns])


def stage_frame(conn: sa.Connection, frame: pd.DataFrame) -> sa.TableClause:
    """Make the frame's cheque rows queryable as a temporary table on this connection; returns it."""
    name = f"rfma_staging_{uuid.uuid4().hex[:12]}"
    frame = frame[list(CHEQUE_COLUMNS)]
    dialect = conn.dialect.name
    if dialect == "duckdb":
        raw = driver_connection(conn)
        raw.register(f"{name}_frame", frame)
        raw.execute(f"CREATE TEMPORARY TABLE {name} AS SELECT * FROM {name}_frame")
        raw.unregister(f"{name}_frame")
    elif dialect == "postgresql":
        conn.execute(sa.text(f"CREATE TEMPORARY TABLE {name} (LIKE {TABLE_NAME}) ON COMMIT DROP"))
        _copy_into_postgres(conn, name, frame)
    elif dialect == "clickhouse":  # a Memory table of this session, filled with Arrow batches
        from core.clickhouse import insert_frame

        columns = [sa.Column(c.name, c.type, nullable=c.nullable) for c in bonuscheques.columns]
        sa.Table(name, sa.MetaData(), *columns, prefixes=["TEMPORARY"]).create(conn)
        insert_frame(conn, name, frame)
    else:
        staging = sa.Table(name, sa.MetaData(), *[c.copy() for c in bonuscheques.columns], prefixes=["TEMPORARY"])
        staging.create(conn)
        conn.execute(sa.insert(staging), _records(frame))
    return _staging_table(name)


def _records(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return clean.to_dict("records")


def _copy_into_postgres(conn: sa.Connection, name: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S.%f")
    buffer.seek(0)
    cursor = driver_connection(conn).cursor()
    columns = ", ".join(CHEQUE_COLUMNS)
    with cursor.copy(f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def append_cheques(conn: sa.Connection, frame: pd.DataFrame) -> AppendCounts:
    """Insert the frame's rows whose doc_id is not already in bonuscheques (inside the caller's transaction).

    A doc_id already in the table with the same card, calendar day and shop is skipped (already loaded); with
    another one it raises ChequeConflict before anything is written. An empty frame writes nothing at all (the
    import serial, hence the dashboard's data version, stays)."""
    if frame.empty:
        return AppendCounts(0, 0, 0, 0, 0)
    create_tables(conn)
    unique_before = recorded_doc_ids_unique(conn)
    staging = stage_frame(conn, frame)
    t = bonuscheques
    _refuse_conflicts(conn, staging)
    known = sa.exists().where(t.c.doc_id == staging.c.doc_id)
    skipped = conn.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(staging.c.doc_id))).where(known)).one()
    added = conn.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(staging.c.doc_id))).where(~known)).one()
    conn.execute(
        sa.insert(t).from_select(list(CHEQUE_COLUMNS), sa.select(*[staging.c[c] for c in CHEQUE_COLUMNS]).where(~known))
    )
    meta = read_meta(conn)
    write_meta(conn, {"import_serial": str(int(meta.get("import_serial", "0")) + 1)})
    # The added doc_ids are new to the table, so it stays one-row-per-cheque when it was and they are distinct.
    if unique_before is False or (unique_before and added[0] != added[1]):
        record_doc_ids_unique(conn, False)
    elif unique_before:
        record_doc_ids_unique(conn, True)
    else:
        record_doc_ids_unique(conn)  # state unknown (written by another program): check the whole table
    return AppendCounts(len(frame), int(added[0]), int(added[1]), int(skipped[0]), int(skipped[1]))


def _refuse_conflicts(conn: sa.Connection, staging: sa.TableClause) -> None:
    t = bonuscheques
    differs = sa.or_(
        t.c.card.is_distinct_from(staging.c.card),
        t.c.shop.is_distinct_from(staging.c.shop),
        sa.cast(t.c.datetime, sa.Date) != sa.cast(staging.c.datetime, sa.Date),
    )
    conflicting = sa.exists().where(t.c.doc_id == staging.c.doc_id, differs)
    rows = conn.execute(sa.select(sa.func.count()).select_from(staging).where(conflicting)).scalar_one()
    if not rows:
        return
    known = (
        sa.select(
            t.c.doc_id,
            sa.func.min(t.c.card).label("card"),
            sa.func.min(sa.cast(t.c.datetime, sa.Date)).label("day"),
            sa.func.min(t.c.shop).label("shop"),
        )
        .where(t.c.doc_id.in_(sa.select(staging.c.doc_id).where(conflicting)))
        .group_by(t.c.doc_id)
    )
    existing = pd.DataFrame(conn.execute(known).all(), columns=["doc_id", "card", "day", "shop"])
    raise ChequeConflict(existing, int(rows))


def replace_with_demo(engine: sa.Engine, frame: pd.DataFrame, *, seed: int, scale: float, force: bool = False) -> int:
    """Replace bonuscheques with generated demo rows; refuse a non-empty table not generated by us unless forced."""
    with engine.begin() as conn:
        if table_exists(conn) and not force:
            rows = conn.execute(sa.select(sa.func.count()).select_from(bonuscheques)).scalar_one()
            meta = read_meta(conn)
            generated = meta.get("generator") == "rfma demo" and meta.get("demo_rows") == str(rows)
            if rows and not generated:
                raise RfmaError(
                    f"таблица {TABLE_NAME} уже содержит {rows} строк, созданных не командой rfma demo; "
                    "добавьте --force, чтобы заменить ее демо-данными"
                )
        if table_exists(conn):
            conn.execute(sa.delete(bonuscheques))
        create_tables(conn)
        staging = stage_frame(conn, frame)
        conn.execute(
            sa.insert(bonuscheques).from_select(
                list(CHEQUE_COLUMNS), sa.select(*[staging.c[c] for c in CHEQUE_COLUMNS])
            )
        )
        meta = read_meta(conn)
        write_meta(
            conn,
            {
                "generator": "rfma demo",
                "demo_rows": str(len(frame)),
                "demo_seed": str(seed),
                "demo_scale": str(scale),
                "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
                "import_serial": str(int(meta.get("import_serial", "0")) + 1),
            },
        )
        record_doc_ids_unique(conn)
    refresh_statistics(engine)
    return len(frame)


def refresh_statistics(engine: sa.Engine) -> None:
    """After a bulk write, PostgreSQL: VACUUM ANALYZE (fresh planner statistics, and a visibility map that lets
    the per-client queries read the covering index alone); embedded ClickHouse (chDB): merge the table's parts now
    (else every later process that opens the directory merges them in the background, on the readers' CPU);
    other backends need nothing."""
    if engine.dialect.name == "clickhouse" and engine.dialect.driver == "chdb":
        with engine.connect() as conn:
            conn.execute(sa.text(f"OPTIMIZE TABLE {TABLE_NAME} FINAL"))
        return
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f"VACUUM ANALYZE {TABLE_NAME}"))


def ensure_demo_database(engine: sa.Engine, url: str) -> bool:
    """Generate the demo table when `url` is the embedded default database and it has no cheques table yet."""
    from core.db import is_default_database

    if not is_default_database(url):
        return False
    with engine.connect() as conn:
        if table_exists(conn):
            return False
    from core.demo import DEMO_SEED, generate_demo_cheques

    replace_with_demo(engine, generate_demo_cheques(scale=1.0, seed=DEMO_SEED), seed=DEMO_SEED, scale=1.0)
    return True
