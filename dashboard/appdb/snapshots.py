"""Segment-history snapshots (SPEC §8) in the application database: one row per snapshot (its period, options,
thresholds, analysis date, who and when), every client's class / cluster / region, and each segment's size.

The three tables join the application database's `metadata` (created with the others). A snapshot is identified by
its source, resolved period, options and the thresholds used: making the same one again replaces it. A snapshot's
clients are one compressed columnar block (Parquet, zstd, in card order, class / cluster / region dictionary-encoded)
in one BLOB / bytea value — one row written and read per snapshot, not one per client; segment sizes are kept apart
so the history chart and `rfma history` never decode the clients.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from core.classify import Classification
from core.db import DatabaseError, first_line
from core.history import PATH_COLUMNS, segment_sizes
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

# Every client of a snapshot: one Parquet block (card, class, cluster, region in card order), one row per snapshot.
snapshot_blocks = sa.Table(
    "snapshot_blocks",
    metadata,
    sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("clients", sa.LargeBinary, nullable=False),
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
BLOCK_ROWS = 65_536  # clients per Parquet row group: a client's path decodes one group per snapshot (card stats)


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
        block = encode_clients(clients)  # outside the transaction: the database is held only to write one value
        sizes = segment_sizes(clients)
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
            "clients": len(clients),
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
                conn.execute(snapshot_blocks.insert().values(snapshot_id=new_id, clients=block))
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
        log.info("snapshot %s saved by %s (%s, %d clients)", new_id, made_by, origin, len(clients))
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
        """A snapshot's clients (SNAPSHOT_COLUMNS), in card order: its one block read and decoded."""
        b = snapshot_blocks
        try:
            with self.engine.connect() as conn:
                block = conn.execute(
                    sa.select(b.c.clients).where(b.c.snapshot_id == int(snapshot_id))
                ).scalar_one_or_none()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        if block is None:
            raise RfmaError(_NO_BLOCK.format(id=int(snapshot_id)))
        return decode_clients(bytes(block))

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
        """One client's segments in every snapshot of the source that holds them (core.history.PATH_COLUMNS): each
        block's row groups whose card range holds the card decoded (one group of BLOCK_ROWS per snapshot)."""
        t, b = snapshots, snapshot_blocks
        query = (
            sa.select(t.c.id, t.c.as_of, b.c.clients)
            .join(b, b.c.snapshot_id == t.c.id)
            .where(t.c.source == self.source)
            .order_by(t.c.as_of, t.c.id)
        )
        rows = []
        try:
            with self.engine.connect() as conn:
                for snapshot_id, as_of, block in conn.execute(query):
                    found = find_client(bytes(block), str(card))
                    if found is not None:
                        rows.append((int(snapshot_id), as_of, *found))
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
    """Remove snapshots' client blocks and sizes (explicitly: SQLite enforces no foreign key by default), and unless
    `keep_snapshot` their rows."""
    conn.execute(snapshot_blocks.delete().where(snapshot_blocks.c.snapshot_id.in_(ids)))
    conn.execute(snapshot_sizes.delete().where(snapshot_sizes.c.snapshot_id.in_(ids)))
    if not keep_snapshot:
        conn.execute(snapshots.delete().where(snapshots.c.id.in_(ids)))


_NO_BLOCK = "снимок №{id} без клиентов (сохранён прежней версией базы приложения): сделайте его заново"
_BLOCK_SCHEMA = pa.schema(
    [
        ("card", pa.string()),
        ("class", pa.dictionary(pa.int16(), pa.string())),
        ("cluster", pa.int16()),
        ("region", pa.int16()),
    ]
)


def _texts(values: pd.Series) -> pa.Array:
    """A column as Arrow texts (zero copy for pandas' Arrow strings)."""
    array = pa.array(values.to_numpy(dtype=object) if values.dtype == object else values)
    return array if pa.types.is_string(array.type) else array.cast(pa.string())


def encode_clients(clients: pd.DataFrame) -> bytes:
    """A snapshot's clients (card, class, cluster, region of a classification's graded clients, or a
    SNAPSHOT_COLUMNS frame) as one Parquet block: card order, zstd, class / cluster / region dictionary-encoded, card
    statistics per row group (what a client's path skips by). Built straight from the classification's Arrow
    columns: no per-client Python object."""
    classes = clients["class"]
    if isinstance(classes.dtype, pd.CategoricalDtype):
        labels = pa.array([str(c) for c in classes.cat.categories], type=pa.string())
        codes = classes.cat.codes.to_numpy()
        indices = pa.array(codes, type=pa.int16(), mask=codes < 0)  # -1: no class (null)
        class_array = pa.DictionaryArray.from_arrays(indices, labels)
    else:
        class_array = _texts(classes).dictionary_encode()
    cards = _texts(clients["card"])
    table = pa.Table.from_arrays(
        [
            cards,
            class_array.cast(_BLOCK_SCHEMA.field("class").type),
            pa.array(clients["cluster"].to_numpy(dtype=np.int64), type=pa.int16()),
            pa.array(clients["region"].to_numpy(dtype=np.int64), type=pa.int16()),
        ],
        schema=_BLOCK_SCHEMA,
    )
    if len(table) > 1 and not pc.all(pc.less_equal(cards[:-1], cards[1:])).as_py():
        table = table.take(pc.sort_indices(cards))  # Arrow's byte order of the texts, as SQL's ORDER BY card
    sink = pa.BufferOutputStream()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        row_group_size=BLOCK_ROWS,
        use_dictionary=["class", "cluster", "region"],
        write_statistics=["card"],
    )
    return sink.getvalue().to_pybytes()


def decode_clients(block: bytes) -> pd.DataFrame:
    """A Parquet block back to the snapshot's clients: card and class as object texts (pandas' Arrow strings
    would be converted back and forth by every comparison), cluster and region int64."""
    table = pq.read_table(pa.BufferReader(block), read_dictionary=["class"])
    classes = table.column("class").combine_chunks()
    if isinstance(classes, pa.DictionaryArray):
        labels = np.asarray([*classes.dictionary.to_pylist(), None], dtype=object)  # the last: a null class
        indices = classes.indices.fill_null(len(labels) - 1).to_numpy(zero_copy_only=False)
        class_text = labels[indices]
    else:
        class_text = classes.to_numpy(zero_copy_only=False).astype(object)
    return pd.DataFrame(
        {
            "card": pd.Series(table.column("card").to_numpy(), dtype=object, copy=False),
            "class": pd.Series(class_text, dtype=object, copy=False),
            "cluster": table.column("cluster").to_numpy().astype("int64"),
            "region": table.column("region").to_numpy().astype("int64"),
        }
    )


def find_client(block: bytes, card: str) -> tuple[str, int, int] | None:
    """One card's (class, cluster, region) in a block (None when absent): only the row groups whose card range
    holds it are decoded."""
    reader = pq.ParquetFile(pa.BufferReader(block))
    meta = reader.metadata
    at = reader.schema_arrow.get_field_index("card")
    for group in range(meta.num_row_groups):
        stats = meta.row_group(group).column(at).statistics
        if stats is not None and stats.has_min_max and not (stats.min <= card <= stats.max):
            continue
        table = reader.read_row_group(group)
        hits = pc.indices_nonzero(pc.equal(table.column("card"), card)).to_pylist()
        if hits:
            row = table.slice(hits[0], 1).to_pylist()[0]
            return str(row["class"]), int(row["cluster"]), int(row["region"])
    return None


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
