"""Client selections of a graded frame: the filter (segment, pharmacy, grades, card search, column filters), the
selection's row positions, their order, a reproducible sample for charts, and one SQL query (SQLAlchemy Core,
DuckDB and PostgreSQL): which identified cards bought in which pharmacy in the period. No Dash, no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.column_filter import ColumnFilter, columns_mask, describe_columns
from core.db import bonuscheques, reads_cheques
from core.fetch import fetch_frame
from core.model import AnalysisOptions, Period, RfmaError
from core.queries import identified, period_conditions
from core.segment_tree import ALL, Segment
from core.segments import AGE_NAMES, FREQUENCY_NAMES, MONETARY_NAMES, RECENCY_NAMES

GRADES = ("r", "f", "m", "a")
GRADE_VALUES = {"r": RECENCY_NAMES, "f": FREQUENCY_NAMES, "m": MONETARY_NAMES, "a": AGE_NAMES}

# The columns of the client table and of its CSV export, in order (the grid's fields).
TABLE_COLUMNS = [
    "card",
    "region",
    "region_name",
    "cluster",
    "cluster_name",
    "class",
    "class_name",
    "r",
    "f",
    "m",
    "a",
    "recency_days",
    "age_days",
    "purchases",
    "frequency",
    "revenue",
    "avg_cheque",
    "bonus_spent",
    "shops",
    "first_date",
    "last_date",
]

# The Russian header of each column of the client table: the grid's column headers and the CSV's header row.
TABLE_HEADERS = {
    "card": "Карта",
    "region": "Регион",
    "region_name": "Название региона",
    "cluster": "Кластер",
    "cluster_name": "Название кластера",
    "class": "Класс",
    "class_name": "Описание класса",
    "r": "R",
    "f": "F",
    "m": "M",
    "a": "A",
    "recency_days": "Давность, дн.",
    "age_days": "Возраст, дн.",
    "purchases": "Покупок",
    "frequency": "Частота F",
    "revenue": "Выручка, ₽",
    "avg_cheque": "Средний чек, ₽",
    "bonus_spent": "Бонусов списано",
    "bonus_earned": "Бонусов начислено",
    "shops": "Аптек",
    "first_date": "Первая покупка",
    "last_date": "Последняя покупка",
    "warmth": "Теплота",
    # «Миграция»'s flow table: where the client was before the bonus date, what they spent after it
    "source_region": "Регион до",
    "source_cluster": "Кластер до",
    "source_class": "Класс до",
    "revenue_after": "Выручка после бонус-даты, ₽",
    # «История»: who entered or left a segment between two snapshots, and where from / to
    "segment": "Сегмент",
    "change": "Изменение",
    "source": "Откуда",
    "destination": "Куда",
}

Sort = tuple[tuple[str, bool], ...]  # (column, descending) pairs, the first pair the main key


@dataclass(frozen=True)
class ClientFilter:
    """Everything that narrows the client list, as primitives and frozen filters (hashable, usable in cache keys)."""

    segment: str = ALL
    shops: tuple[str, ...] = ()
    r: tuple[int, ...] = ()
    f: tuple[int, ...] = ()
    m: tuple[int, ...] = ()
    a: tuple[int, ...] = ()
    card: str = ""
    columns: tuple[ColumnFilter, ...] = ()

    @classmethod
    def build(
        cls,
        segment: str | None = None,
        shops: Iterable[str | None] | None = None,
        grades: Mapping[str, Iterable[int | str] | None] | None = None,
        card: str | None = None,
        columns: Iterable[ColumnFilter] = (),
    ) -> ClientFilter:
        """From page values (lists, None); validates the segment and the grades; column filters in column order."""
        grades = grades or {}
        values = {}
        for name in GRADES:
            picked = sorted({int(v) for v in (grades.get(name) or [])})
            bad = [v for v in picked if v not in GRADE_VALUES[name]]
            if bad:
                raise RfmaError(f"градация {name.upper()} = {bad[0]} не существует")
            values[name] = tuple(picked)
        return cls(
            segment=Segment.parse(segment).node_id,
            shops=tuple(sorted({str(s) for s in (shops or []) if s not in (None, "")})),
            card=str(card or "").strip(),
            columns=tuple(sorted(columns, key=lambda c: c.column)),
            **values,
        )

    @property
    def segment_obj(self) -> Segment:
        return Segment.parse(self.segment)

    def key(self) -> tuple[str, ...]:
        """Primitive cache-key parts."""
        return (
            self.segment,
            "|".join(self.shops),
            *(",".join(map(str, getattr(self, g))) for g in GRADES),
            self.card,
            repr(self.columns),
        )

    def describe(self) -> list[str]:
        """Russian lines naming the filters in force (for file headers and reports)."""
        lines = [f"сегмент: {self.segment_obj.label}"]
        if self.shops:
            lines.append("аптеки: " + ", ".join(self.shops))
        for name in GRADES:
            picked = getattr(self, name)
            if picked:
                lines.append(f"{name.upper()}: " + ", ".join(f"{v} {GRADE_VALUES[name][v]}" for v in picked))
        if self.card:
            lines.append(f"карта содержит: {self.card}")
        if self.columns:
            lines.append("фильтры таблицы: " + describe_columns(self.columns, TABLE_HEADERS))
        return lines


def filter_clients(clients: pd.DataFrame, flt: ClientFilter, shop_cards: pd.DataFrame | None = None) -> pd.DataFrame:
    """The clients passing every filter (a new frame; the input is never modified).

    `shop_cards` (columns shop, card: who bought where in the period) is needed only when `flt.shops` is set.
    """
    return clients.take(filter_positions(clients, flt, shop_cards))


def filter_positions(clients: pd.DataFrame, flt: ClientFilter, shop_cards: pd.DataFrame | None = None) -> np.ndarray:
    """Integer positions (ascending) of the clients passing every filter: the selection without copying its rows."""
    mask = flt.segment_obj.mask(clients).to_numpy(dtype=bool, copy=True)
    if flt.shops:
        if shop_cards is None:
            raise ValueError("shop_cards is required to filter by pharmacy")
        cards = shop_cards.loc[shop_cards["shop"].isin(flt.shops), "card"].unique()
        mask &= clients["card"].isin(cards).to_numpy()
    for name in GRADES:
        picked = getattr(flt, name)
        if picked:
            mask &= clients[name].astype("int64").isin(picked).to_numpy()
    if flt.card:
        mask &= clients["card"].astype(str).str.contains(flt.card, regex=False).to_numpy()
    if flt.columns:
        mask &= columns_mask(clients, flt.columns, TABLE_COLUMNS).to_numpy()
    return np.flatnonzero(mask)


def sort_clients(frame: pd.DataFrame, sort: Sort = ()) -> pd.DataFrame:
    """Sorted by (column, descending) pairs, ties by card; unsorted = card order."""
    return frame.take(sort_positions(frame, np.arange(len(frame)), sort))


def sort_positions(
    clients: pd.DataFrame,
    positions: Sequence[int] | np.ndarray,
    sort: Sort = (),
    table: Sequence[str] = TABLE_COLUMNS,
) -> np.ndarray:
    """`positions` of `clients` reordered as `sort_clients` orders those rows; copies only the sort-key columns.

    Pairs naming a column outside the `table` (or the frame) are ignored, as are repeats; NaN sorts last."""
    columns, ascending = _sort_keys(clients, sort, table)
    positions = np.asarray(positions, dtype=np.intp)
    keys = clients[columns].take(positions).reset_index(drop=True)  # copy-on-write: only the taken rows are copied
    order = keys.sort_values(columns, ascending=ascending, kind="stable", na_position="last").index.to_numpy()
    return positions[order]


def _sort_keys(frame: pd.DataFrame, sort: Sort, table: Sequence[str] = TABLE_COLUMNS) -> tuple[list[str], list[bool]]:
    columns: list[str] = []
    ascending: list[bool] = []
    for column, descending in sort:
        if column in table and column in frame.columns and column not in columns:
            columns.append(column)
            ascending.append(not descending)
    if "card" not in columns:
        columns.append("card")
        ascending.append(True)
    return columns, ascending


def shop_clients_query(period: Period, options: AnalysisOptions) -> sa.Select:
    """Distinct (shop, card) pairs of identified cheques in the period."""
    t = bonuscheques
    return (
        sa.select(t.c.shop.label("shop"), t.c.card.label("card"))
        .where(*period_conditions(period), identified(options), t.c.shop.is_not(None))
        .distinct()
    )


@reads_cheques
def load_shop_clients(
    conn: sa.Connection, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> pd.DataFrame:
    """Which identified cards bought in which pharmacy in the period: columns shop, card (sorted)."""
    frame = fetch_frame(conn, shop_clients_query(period, options))
    if frame.empty:
        return pd.DataFrame({"shop": pd.Series(dtype="str"), "card": pd.Series(dtype="str")})
    frame = frame.astype({"shop": "str", "card": "str"})
    return frame.sort_values(["shop", "card"], ignore_index=True)


@dataclass(frozen=True, eq=False)
class Selection:
    """A filtered client list with what describes it: the filter, the period, the analysis date, the thresholds."""

    clients: pd.DataFrame = field(repr=False)
    flt: ClientFilter
    date_from: str
    date_to: str
    analysis_date: dt.date | None
    thresholds: dict[str, float]
    total_clients: int
    total_revenue: float


SCATTER_LIMIT = 50_000
SCATTER_SEED = 20240601


def sample_clients(frame: pd.DataFrame, limit: int = SCATTER_LIMIT, seed: int = SCATTER_SEED) -> pd.DataFrame:
    """At most `limit` rows: all of them, or a reproducible uniform random sample (fixed seed), in card order."""
    if len(frame) <= limit:
        return frame
    rng = np.random.default_rng(seed)
    positions = np.sort(rng.choice(len(frame), size=limit, replace=False))
    return frame.iloc[positions]
