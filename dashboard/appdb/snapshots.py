"""Segment-history snapshots (SPEC §8) in the application database: one row per snapshot (its period, options,
thresholds, analysis date, who and when), every client's class / cluster / region, and each segment's size.

The three tables join the application database's `metadata` (created with the others). A snapshot is identified by
its source, resolved period, options and the thresholds used: making the same one again replaces it. Clients are
written in bulk (SQLite: one executemany; PostgreSQL: COPY), segment sizes are kept apart so the history chart and
`rfma history` never scan the clients.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat

import pandas as pd
import sqlalchemy as sa

from core.classify import Classification
from core.db import DatabaseError, first_line
from core.history import PATH_COLUMNS, SNAPSHOT_COLUMNS, segment_sizes, snapshot_frame
from core.model import AnalysisOptions, RfmaError, ThresholdPins, Thresholds
from core.periods import resolved_bounds
from dashboard.appdb.database import metadata, source_key, utc_now

log = logging.getLogger(__name__)

# One row per snapshot: a classification's period (resolved), options, thresholds and analysis date T.
snapshots = sa.Table(
    "snapshots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False),  # the cheques database (URL without password), as threshold_sets
    sa.Column("identity", sa.Text, nullable=False),  # hash of period, options and thresholds: one snapshot each
    sa.Column("date_from", sa.Date, nullable=False),
    sa.Column("date_to", sa.Date, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),  # the analysis date T
    sa.Column("card_pattern", sa.Text, nullable=False),
    sa.Column("amount_column", sa.Text, nullable=False),
    sa.Column("thresholds", sa.Text, nullable=False),  # JSON {name: value}: the nine thresholds used
    sa.Column("pins", sa.Text, nullable=False),  # JSON {name: value}: those of them that were pinned
    sa.Column("clients", sa.Integer, nullable=False),
    sa.Column("made_by", sa.Text, nullable=False),
    sa.Column("made_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("origin", sa.Text, nullable=False),  # 'панель', 'rfma', 'rfma --monthly'
    sa.UniqueConstraint("source", "identity", name="uq_snapshots_source_identity"),
    sa.Index("ix_snapshots_source_as_of", "source", "as_of"),
)

# Every client of a snapshot: compact columns, one composite primary key (snapshot, card) as the index.
snapshot_clients = sa.Table(
    "snapshot_clients",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("card", sa.Text, primary_key=True),
    sa.Column("class", sa.String(8), nullable=False),
    sa.Column("cluster", sa.SmallInteger, nullable=False),
    sa.Column("region", sa.SmallInteger, nullable=False),
    sqlite_with_rowid=False,  # SQLite: the rows live in the primary key's b-tree (one index to write, not two)
)

# How many clients each region, cluster and class of a snapshot holds.
snapshot_sizes = sa.Table(
    "snapshot_sizes",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("level", sa.String(8), primary_key=True),  # region, cluster, class
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("clients", sa.Integer, nullable=False),
)

SNAPSHOT_SAVED = "snapshot_saved"  # the audit log's action of a snapshot made from the dashboard
HISTORY_COLUMNS = ["snapshot_id", "as_of", "region", "clients"]  # rfma history --out
HISTORY_CLIENT_COLUMNS = ["snapshot_id", "as_of", "card", "class", "cluster", "region"]  # rfma history --clients
_INSERT_CLIENTS = 'INSERT INTO snapshot_clients (snapshot_id, card, "class", cluster, region) VALUES (?, ?, ?, ?, ?)'
_COPY_CLIENTS = 'COPY snapshot_clients (snapshot_id, card, "class", cluster, region) FROM STDIN WITH (FORMAT csv)'
_SELECT_CLIENTS = 'SELECT card, "class", cluster, region FROM snapshot_clients WHERE snapshot_id = ? ORDER BY card'
_COPY_OUT = (
    'COPY (SELECT card, "class", cluster, region FROM snapshot_clients WHERE snapshot_id = {id} ORDER BY card) '
    "TO STDOUT WITH (FORMAT csv)"
)


@dataclass(frozen=True)
class Snapshot:
    """One stored snapshot: its classification's period, options, thresholds and T, and who made it when."""

    id: int
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    card_pattern: str
    amount_column: str
    thresholds: dict[str, float]
    pins: dict[str, float]
    clients: int
    made_by: str
    made_at: dt.datetime  # UTC
    origin: str


@dataclass(frozen=True)
class SavedSnapshot:
    """What `Snapshots.save` did: the snapshot and whether it replaced one of the same identity."""

    snapshot: Snapshot
    replaced: bool


def snapshot_identity(
    date_from: dt.date, date_to: dt.date, options: AnalysisOptions, thresholds: Thresholds | dict
) -> str:
    """The key that makes two snapshots the same one: resolved period, options and the thresholds used."""
    values = thresholds.as_dict() if isinstance(thresholds, Thresholds) else dict(thresholds)
    text = json.dumps(
        {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "card_pattern": options.card_pattern,
            "amount_column": options.amount_column,
            "thresholds": {name: float(value) for name, value in sorted(values.items())},
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class Snapshots:
    """The segment-history snapshots of one cheques database."""

    def __init__(self, engine: sa.Engine, database_url: str):
        self.engine = engine
        self.source = source_key(database_url)

    def save(
        self,
        clients: pd.DataFrame,
        period: tuple[dt.date, dt.date],
        as_of: dt.date,
        options: AnalysisOptions,
        thresholds: Thresholds,
        pins: ThresholdPins,
        made_by: str,
        origin: str,
    ) -> SavedSnapshot:
        """Store a classification's graded clients as a snapshot (one transaction); an existing snapshot of the same
        period, options and thresholds is replaced (it keeps its id; who made it and when are the new ones)."""
        frame = snapshot_frame(clients)
        identity = snapshot_identity(period[0], period[1], options, thresholds)
        now = utc_now()
        values = {
            "source": self.source,
            "identity": identity,
            "date_from": period[0],
            "date_to": period[1],
            "as_of": as_of,
            "card_pattern": options.card_pattern,
            "amount_column": options.amount_column,
            "thresholds": json.dumps(thresholds.as_dict(), sort_keys=True),
            "pins": json.dumps(pins.as_dict(), sort_keys=True),
            "clients": len(frame),
            "made_by": made_by,
            "made_at": now,
            "origin": origin,
        }
        t = snapshots
        try:
            with self.engine.begin() as conn:
                old = conn.execute(
                    sa.select(t.c.id).where(t.c.source == self.source, t.c.identity == identity)
                ).scalar_one_or_none()
                if old is None:
                    new_id = int(conn.execute(t.insert().values(**values)).inserted_primary_key[0])
                else:  # the same snapshot made again: its row keeps its id, its clients and sizes are replaced
                    new_id = int(old)
                    _delete(conn, [new_id], keep_snapshot=True)
                    conn.execute(t.update().where(t.c.id == new_id).values(**values))
                _insert_clients(conn, new_id, frame)
                sizes = segment_sizes(frame)
                if not sizes.empty:
                    conn.execute(
                        snapshot_sizes.insert(),
                        [
                            {"snapshot_id": new_id, "level": lv, "code": code, "clients": int(n)}
                            for lv, code, n in zip(sizes["level"], sizes["code"], sizes["clients"], strict=True)
                        ],
                    )
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        log.info("snapshot %s saved by %s (%s, %d clients)", new_id, made_by, origin, len(frame))
        snapshot = _record(values | {"id": new_id})
        return SavedSnapshot(snapshot, old is not None)

    def save_classification(
        self, result: Classification, options: AnalysisOptions, pins: ThresholdPins, made_by: str, origin: str
    ) -> SavedSnapshot:
        """Store one classification (core.classify) as a snapshot; RfmaError when it classified nobody."""
        message = result.message
        if message or result.thresholds is None:
            raise RfmaError(message or "пороги не определены: снимок не сохранён")
        period = resolved_bounds(result.base)
        as_of = result.base.analysis_date
        assert as_of is not None  # a classification with clients has an analysis date
        return self.save(result.clients, period, as_of, options, result.thresholds, pins, made_by, origin)

    def all(self) -> list[Snapshot]:
        """The source's snapshots, oldest analysis date first (then in the order they were made)."""
        t = snapshots
        query = sa.select(t).where(t.c.source == self.source).order_by(t.c.as_of, t.c.id)
        return [_record(row) for row in self._rows(query)]

    def get(self, snapshot_id: int) -> Snapshot | None:
        """One snapshot of this source by id (None when there is none)."""
        t = snapshots
        rows = self._rows(sa.select(t).where(t.c.source == self.source, t.c.id == int(snapshot_id)))
        return _record(rows[0]) if rows else None

    def previous(self, snapshot_id: int) -> Snapshot | None:
        """The snapshot just before this one in the history's order (None for the first)."""
        ordered = self.all()
        ids = [s.id for s in ordered]
        if snapshot_id not in ids:
            return None
        at = ids.index(snapshot_id)
        return ordered[at - 1] if at > 0 else None

    def delete(self, snapshot_id: int) -> bool:
        """Remove one snapshot of this source; whether there was one."""
        if self.get(snapshot_id) is None:
            return False
        try:
            with self.engine.begin() as conn:
                _delete(conn, [int(snapshot_id)])
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        return True

    def clients(self, snapshot_id: int) -> pd.DataFrame:
        """A snapshot's clients (SNAPSHOT_COLUMNS), in card order (read in bulk: COPY on PostgreSQL, one fetch of
        plain tuples on SQLite — no per-row objects of SQLAlchemy)."""
        try:
            with self.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    frame = _copy_out(conn, int(snapshot_id))
                else:
                    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    try:
                        rows = cursor.execute(_SELECT_CLIENTS, (int(snapshot_id),)).fetchall()
                    finally:
                        cursor.close()
                    frame = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        # texts as plain objects: pandas' Arrow strings would be converted back and forth by every comparison
        return frame.astype({"card": object, "class": object, "cluster": "int64", "region": "int64"})

    def sizes(self) -> pd.DataFrame:
        """Every segment size of the source's snapshots: snapshot_id, as_of, level, code, clients (history order)."""
        t, s = snapshots, snapshot_sizes
        query = (
            sa.select(s.c.snapshot_id, t.c.as_of, s.c.level, s.c.code, s.c.clients)
            .join(t, t.c.id == s.c.snapshot_id)
            .where(t.c.source == self.source)
            .order_by(t.c.as_of, t.c.id, s.c.level, s.c.code)
        )
        rows = self._rows(query)
        return pd.DataFrame.from_records(
            [tuple(row.values()) for row in rows], columns=["snapshot_id", "as_of", "level", "code", "clients"]
        )

    def region_sizes(self) -> pd.DataFrame:
        """`rfma history`'s table: snapshot_id, as_of, region, clients (history order, regions ascending)."""
        sizes = self.sizes()
        regions = sizes[sizes["level"] == "region"].copy()
        regions["region"] = regions["code"].astype("int64")
        regions = regions.sort_values(["as_of", "snapshot_id", "region"], kind="stable")
        return regions[HISTORY_COLUMNS].reset_index(drop=True)

    def client_rows(self, snapshot_ids: list[int] | None = None) -> Iterator[pd.DataFrame]:
        """`rfma history --clients`' table, one frame per snapshot (HISTORY_CLIENT_COLUMNS), history order."""
        for snapshot in self.all():
            if snapshot_ids is not None and snapshot.id not in snapshot_ids:
                continue
            frame = self.clients(snapshot.id)
            frame.insert(0, "as_of", snapshot.as_of.isoformat())
            frame.insert(0, "snapshot_id", snapshot.id)
            yield frame[HISTORY_CLIENT_COLUMNS]

    def path(self, card: str) -> pd.DataFrame:
        """One client's segments in every snapshot of the source that holds them (core.history.PATH_COLUMNS)."""
        t, c = snapshots, snapshot_clients.c
        query = (
            sa.select(t.c.id, t.c.as_of, c["class"], c.cluster, c.region)
            .join(t, t.c.id == c.snapshot_id)
            .where(t.c.source == self.source, c.card == str(card))
            .order_by(t.c.as_of, t.c.id)
        )
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        return pd.DataFrame.from_records(rows, columns=PATH_COLUMNS)

    def _rows(self, query) -> list:
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(query).mappings().all())
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None


def _delete(conn: sa.Connection, ids: list[int], keep_snapshot: bool = False) -> None:
    """Remove snapshots' clients and sizes (explicitly: SQLite enforces no foreign key by default), and unless
    `keep_snapshot` their rows."""
    conn.execute(snapshot_clients.delete().where(snapshot_clients.c.snapshot_id.in_(ids)))
    conn.execute(snapshot_sizes.delete().where(snapshot_sizes.c.snapshot_id.in_(ids)))
    if not keep_snapshot:
        conn.execute(snapshots.delete().where(snapshots.c.id.in_(ids)))


def _insert_clients(conn: sa.Connection, snapshot_id: int, frame: pd.DataFrame) -> None:
    """Every client row in bulk: COPY of one CSV text on PostgreSQL, one executemany of plain tuples elsewhere."""
    if frame.empty:
        return
    if conn.dialect.name == "postgresql":
        text = frame.assign(snapshot_id=snapshot_id)[["snapshot_id", *SNAPSHOT_COLUMNS]].to_csv(
            index=False, header=False
        )
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(_COPY_CLIENTS) as copy:
            copy.write(text)
        return
    rows = zip(
        repeat(snapshot_id),
        frame["card"].tolist(),
        frame["class"].tolist(),
        frame["cluster"].tolist(),
        frame["region"].tolist(),
        strict=False,
    )
    conn.exec_driver_sql(_INSERT_CLIENTS, list(rows))


def _copy_out(conn: sa.Connection, snapshot_id: int) -> pd.DataFrame:
    """A snapshot's clients from PostgreSQL by COPY … TO STDOUT (CSV), parsed by pandas' C reader."""
    buffer = io.BytesIO()
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(_COPY_OUT.format(id=int(snapshot_id))) as copy:  # an int: no user text in the SQL
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        header=None,
        names=SNAPSHOT_COLUMNS,
        dtype={"card": object, "class": object, "cluster": "int64", "region": "int64"},
        keep_default_na=False,
    )


def _record(row) -> Snapshot:
    return Snapshot(
        id=int(row["id"]),
        date_from=row["date_from"],
        date_to=row["date_to"],
        as_of=row["as_of"],
        card_pattern=row["card_pattern"],
        amount_column=row["amount_column"],
        thresholds=json.loads(row["thresholds"]),
        pins=json.loads(row["pins"]),
        clients=int(row["clients"]),
        made_by=row["made_by"],
        made_at=row["made_at"],
        origin=row["origin"],
    )


def open_snapshots(app_database_url: str, database_url: str) -> Snapshots:
    """The snapshots of a cheques database in the application database of `app_database_url`."""
    from dashboard.appdb.database import app_engine

    return Snapshots(app_engine(app_database_url), database_url)
