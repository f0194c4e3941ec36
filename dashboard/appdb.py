"""The application database: what the app itself writes (today the chain's threshold set and its history).

A SQLAlchemy URL (`RFMA_APP_DATABASE_URL`, `rfma --app-db`); the embedded default is a SQLite file in the state
directory, PostgreSQL in production. It is apart from the cheques database, so the dashboard never needs a write
lock on the cheques and `rfma import` can run while it serves. Tables are created when missing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from core.db import DatabaseError, first_line
from core.model import RfmaError, ThresholdPins

log = logging.getLogger(__name__)

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


def default_app_database_url(state_dir: str | Path) -> str:
    """The embedded application database: a SQLite file in the state directory."""
    return f"sqlite:///{Path(state_dir).expanduser() / APP_DATABASE_FILE}"


def source_key(database_url: str) -> str:
    """Which cheques database a record belongs to: its URL without the password."""
    try:
        return sa.engine.make_url(database_url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return database_url


_ENGINES: dict[str, sa.Engine] = {}
_ENGINES_LOCK = threading.Lock()


def app_engine(url: str) -> sa.Engine:
    """The process's engine of an application database, its tables created on first use."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = _open(url)
        return engine


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


def forget_engines_after_fork() -> None:
    """In a forked gunicorn worker: open own connections, never the parent's."""
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()
    global _ENGINES_LOCK
    _ENGINES_LOCK = threading.Lock()


os.register_at_fork(after_in_child=forget_engines_after_fork)


@dataclass(frozen=True)
class ChainThresholds:
    """One saved threshold set of the chain: the pinned values (the rest is suggested per period), who and when."""

    id: int
    pins: ThresholdPins
    saved_by: str
    saved_at: dt.datetime  # UTC
    origin: str

    def describe(self) -> str:
        """The pinned values in words, e.g. 'r1 = 21, f1 = 0,5', or that every threshold is suggested."""
        return describe_pins(self.pins)


def describe_pins(pins: ThresholdPins | Mapping[str, float]) -> str:
    """Pinned values as the UI writes them ('r1 = 21, f1 = 0,5'), or 'все пороги предложены по данным'."""
    from core import formatting as fmt

    values = pins.as_dict() if isinstance(pins, ThresholdPins) else dict(pins)
    if not values:
        return "все пороги предложены по данным"
    return ", ".join(f"{name} = {fmt.threshold_plain(value).replace('.', ',')}" for name, value in values.items())


class ThresholdSets:
    """The chain's threshold set of one cheques database: the one in force and its history."""

    def __init__(self, engine: sa.Engine, database_url: str):
        self.engine = engine
        self.source = source_key(database_url)

    def current(self) -> ChainThresholds | None:
        """The set in force (the newest save), or None when the chain never saved one."""
        rows = self._select(1)
        return rows[0] if rows else None

    def current_pins(self) -> ThresholdPins:
        """The pins of the set in force (none when never saved)."""
        current = self.current()
        return current.pins if current else ThresholdPins()

    def history(self, limit: int = 50) -> list[ChainThresholds]:
        """The saves, newest first."""
        return self._select(limit)

    def save(self, pins: ThresholdPins, saved_by: str, origin: str) -> ChainThresholds:
        """Make `pins` the chain's set in force (a new history row)."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        values = {
            "source": self.source,
            "pins": json.dumps(pins.as_dict(), sort_keys=True),
            "saved_by": saved_by,
            "saved_at": now,
            "origin": origin,
        }
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(threshold_sets.insert().values(**values)).inserted_primary_key[0]
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        log.info("chain threshold set %s saved by %s (%s)", new_id, saved_by, origin)
        return ChainThresholds(int(new_id), pins, saved_by, now, origin)

    def import_legacy(self, pins_path: Path) -> ChainThresholds | None:
        """Once, when the chain has no set yet: the pins an older version kept in `pins.json` become the set."""
        if self.current() is not None:
            return None
        try:
            data = json.loads(Path(pins_path).read_text(encoding="utf-8"))
            entry = data.get(self.source) if isinstance(data, dict) else None
            pins = ThresholdPins.from_mapping(entry) if isinstance(entry, dict) else None
        except (OSError, ValueError, RfmaError):
            return None
        if pins is None or not pins.as_dict():
            return None
        return self.save(pins, "перенесено из pins.json", "pins.json")

    def _select(self, limit: int) -> list[ChainThresholds]:
        t = threshold_sets
        query = sa.select(t).where(t.c.source == self.source).order_by(t.c.id.desc()).limit(limit)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"база приложения недоступна: {first_line(exc)}") from None
        return [_record(row) for row in rows]


def _record(row) -> ChainThresholds:
    try:
        pins = ThresholdPins.from_mapping(json.loads(row["pins"]))
    except (ValueError, RfmaError):  # a hand-edited row: never let it break every page
        log.warning("threshold set %s is unreadable; treated as all suggested", row["id"])
        pins = ThresholdPins()
    return ChainThresholds(int(row["id"]), pins, row["saved_by"], row["saved_at"], row["origin"])


def open_threshold_sets(app_database_url: str, database_url: str, legacy_pins: Path | None = None) -> ThresholdSets:
    """The chain's threshold sets of a cheques database; pins an older version kept in `legacy_pins` move in once."""
    sets = ThresholdSets(app_engine(app_database_url), database_url)
    if legacy_pins is not None and Path(legacy_pins).exists():
        sets.import_legacy(legacy_pins)
    return sets
