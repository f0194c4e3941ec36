"""The chain's threshold set of a cheques database in the application database: the one in force and its history."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from core.db import DatabaseError, first_line
from core.model import RfmaError, ThresholdPins
from dashboard.appdb.database import app_engine, source_key, threshold_sets, utc_now

log = logging.getLogger(__name__)


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
        now = utc_now()
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
