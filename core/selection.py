"""Selections of graded clients: the segment tree (warmth → region → cluster → class), client filters
(segment, pharmacy, grades, card search, a grid's column filters), sorting and paging.

Pure pandas over the frame of `core.engine.grade_clients`, plus one SQL query (SQLAlchemy Core, DuckDB and
PostgreSQL): which identified cards bought in which pharmacy in the period. No Dash, no Flask.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.db import bonuscheques, fetch_frame, reads_cheques
from core.model import AnalysisOptions, Period, RfmaError
from core.queries import identified, period_conditions
from core.segments import (
    AGE_NAMES,
    CLUSTER_NAMES,
    FREQUENCY_NAMES,
    MONETARY_NAMES,
    RECENCY_NAMES,
    REGION_NAMES,
    REGION_OF_CLUSTER,
    WARMTH_NAMES,
    class_table,
    warmth_of_region,
)

ALL = "all"
LEVELS = ("all", "warmth", "region", "cluster", "class")
_PREFIX = {"warmth": "w", "region": "r", "cluster": "c", "class": "k"}
_LEVEL_OF_PREFIX = {v: k for k, v in _PREFIX.items()}
_CODE_LENGTH = {"warmth": 1, "region": 3, "cluster": 2, "class": 4}
GRADES = ("r", "f", "m", "a")
GRADE_VALUES = {"r": RECENCY_NAMES, "f": FREQUENCY_NAMES, "m": MONETARY_NAMES, "a": AGE_NAMES}
ALL_LABEL = "Все клиенты"

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


# --- segments ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One node of the segment tree: all clients, a warmth (1…5), a region, a cluster or a class."""

    level: str = "all"
    code: str = ""

    @classmethod
    def parse(cls, node_id: str | None) -> Segment:
        """A segment from a node id: 'all', 'w1', 'r110', 'c11', 'k1121' (None or '' = all clients)."""
        if not node_id or node_id == ALL:
            return cls()
        node_id = str(node_id)
        level = _LEVEL_OF_PREFIX.get(node_id[:1])
        code = node_id[1:]
        if level is None or not code.isdigit() or len(code) != _CODE_LENGTH[level] or not _known(level, code):
            raise RfmaError(f"неизвестный сегмент {node_id!r}")
        return cls(level, code)

    @classmethod
    def of(cls, level: str, code) -> Segment:
        return cls() if level == "all" else cls.parse(_PREFIX[level] + str(code))

    @property
    def node_id(self) -> str:
        return ALL if self.level == "all" else _PREFIX[self.level] + self.code

    @property
    def name(self) -> str:
        """The Russian name of the segment (without its code)."""
        if self.level == "all":
            return ALL_LABEL
        code = int(self.code)
        if self.level == "warmth":
            return WARMTH_NAMES[code]
        if self.level == "region":
            return REGION_NAMES[code]
        if self.level == "cluster":
            return CLUSTER_NAMES[code]
        return _class_info()[self.code][0]

    @property
    def label(self) -> str:
        """Code and name, e.g. '110 VIP'."""
        return ALL_LABEL if self.level == "all" else f"{self.code} {self.name}"

    def parent(self) -> Segment | None:
        if self.level == "all":
            return None
        if self.level == "warmth":
            return Segment()
        if self.level == "region":
            return Segment("warmth", str(warmth_of_region(int(self.code))))
        if self.level == "cluster":
            return Segment("region", str(REGION_OF_CLUSTER[int(self.code)]))
        return Segment("cluster", str(_class_info()[self.code][1]))

    def path(self) -> list[Segment]:
        """From all clients down to this segment (the breadcrumb)."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent()
        return chain[::-1]

    def mask(self, clients: pd.DataFrame) -> pd.Series:
        """Which clients of a graded frame belong to this segment."""
        if self.level == "all":
            return pd.Series(True, index=clients.index)
        if self.level == "warmth":
            return clients["warmth"].astype("int64") == int(self.code)
        if self.level == "class":
            return clients["class"].astype(str) == self.code
        return clients[self.level].astype("int64") == int(self.code)

    def file_part(self) -> str:
        """For file names: code and name with spaces as underscores, e.g. '110_VIP', 'все_клиенты'."""
        text = "все клиенты" if self.level == "all" else f"{self.code} {self.name}"
        return "_".join(text.replace("/", " ").split())


def _known(level: str, code: str) -> bool:
    value = int(code)
    if level == "warmth":
        return value in WARMTH_NAMES
    if level == "region":
        return value in REGION_NAMES
    if level == "cluster":
        return value in CLUSTER_NAMES
    return code in _class_info()


@functools.lru_cache(maxsize=1)
def _class_info() -> dict[str, tuple[str, int]]:
    """class code → (class name, cluster); the fixed 108 classes."""
    table = class_table()
    return {c: (n, int(k)) for c, n, k in zip(table["class"], table["class_name"], table["cluster"], strict=False)}


def segment_tree(clients: pd.DataFrame) -> pd.DataFrame:
    """Every node of warmth → region → cluster → class with client counts and revenue.

    Columns: id, parent ('' for the root), level, code, label, clients, revenue. All warmths, regions and
    clusters are listed (empty ones with 0); classes only when they have clients. Root first, then depth-first
    in code order.
    """
    classes = class_table()
    if clients.empty:
        counts = pd.DataFrame({"clients": pd.Series(dtype="int64"), "revenue": pd.Series(dtype="float64")})
    else:
        counts = clients.groupby(clients["class"].astype(str)).agg(clients=("card", "size"), revenue=("revenue", "sum"))
    classes = classes.join(counts, on="class")
    classes["clients"] = classes["clients"].fillna(0).astype("int64")
    classes["revenue"] = classes["revenue"].fillna(0.0).astype("float64")
    rows = [
        {
            "id": ALL,
            "parent": "",
            "level": "all",
            "code": "",
            "label": ALL_LABEL,
            "clients": int(classes["clients"].sum()),
            "revenue": float(classes["revenue"].sum()),
        }
    ]
    for warmth, by_warmth in classes.groupby("warmth", sort=True):
        rows.append(_node("warmth", warmth, ALL, by_warmth))
        for region, by_region in by_warmth.groupby("region", sort=True):
            rows.append(_node("region", region, f"w{warmth}", by_region))
            for cluster, by_cluster in by_region.groupby("cluster", sort=True):
                rows.append(_node("cluster", cluster, f"r{region}", by_cluster))
                for item in by_cluster[by_cluster["clients"] > 0].itertuples():
                    rows.append(
                        {
                            "id": f"k{item[5]}",
                            "parent": f"c{cluster}",
                            "level": "class",
                            "code": str(item[5]),
                            "label": f"{item[5]} {item.class_name}",
                            "clients": int(item.clients),
                            "revenue": float(item.revenue),
                        }
                    )
    return pd.DataFrame(rows, columns=["id", "parent", "level", "code", "label", "clients", "revenue"])


def _node(level: str, code, parent: str, part: pd.DataFrame) -> dict:
    segment = Segment(level, str(code))
    return {
        "id": segment.node_id,
        "parent": parent,
        "level": level,
        "code": str(code),
        "label": segment.label,
        "clients": int(part["clients"].sum()),
        "revenue": float(part["revenue"].sum()),
    }


# --- filters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientFilter:
    """Everything that narrows the client list, as primitives (hashable, usable in cache keys).

    `grid_filter` is an AG Grid filter model as canonical JSON ('' = none).
    """

    segment: str = ALL
    shops: tuple[str, ...] = ()
    r: tuple[int, ...] = ()
    f: tuple[int, ...] = ()
    m: tuple[int, ...] = ()
    a: tuple[int, ...] = ()
    card: str = ""
    grid_filter: str = ""

    @classmethod
    def build(cls, segment=None, shops=None, grades: dict | None = None, card=None, grid_filter: dict | None = None):
        """From page values (lists, None, a filter-model dict); validates the segment and the grades."""
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
            grid_filter=json.dumps(grid_filter, sort_keys=True, ensure_ascii=False) if grid_filter else "",
            **values,
        )

    @property
    def segment_obj(self) -> Segment:
        return Segment.parse(self.segment)

    def key(self) -> tuple:
        """Primitive cache-key parts."""
        return (
            self.segment,
            "|".join(self.shops),
            *(",".join(map(str, getattr(self, g))) for g in GRADES),
            self.card,
            self.grid_filter,
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
        if self.grid_filter:
            lines.append("фильтры таблицы: " + describe_grid_filter(json.loads(self.grid_filter)))
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
    if flt.grid_filter:
        mask &= grid_filter_mask(clients, json.loads(flt.grid_filter)).to_numpy()
    return np.flatnonzero(mask)


# --- AG Grid filter and sort models ---------------------------------------------------------------------------

_TEXT_TESTS = {
    "contains": lambda s, v: s.str.contains(v, regex=False),
    "notContains": lambda s, v: ~s.str.contains(v, regex=False),
    "equals": lambda s, v: s == v,
    "notEqual": lambda s, v: s != v,
    "startsWith": lambda s, v: s.str.startswith(v),
    "endsWith": lambda s, v: s.str.endswith(v),
}
_NUMBER_TESTS = {
    "equals": lambda s, v, _: s == v,
    "notEqual": lambda s, v, _: s != v,
    "lessThan": lambda s, v, _: s < v,
    "lessThanOrEqual": lambda s, v, _: s <= v,
    "greaterThan": lambda s, v, _: s > v,
    "greaterThanOrEqual": lambda s, v, _: s >= v,
    "inRange": lambda s, v, to: (s >= v) & (s <= to),
}
_TYPE_NAMES = {
    "contains": "содержит",
    "notContains": "не содержит",
    "equals": "=",
    "notEqual": "≠",
    "startsWith": "начинается с",
    "endsWith": "заканчивается на",
    "lessThan": "<",
    "lessThanOrEqual": "≤",
    "greaterThan": ">",
    "greaterThanOrEqual": "≥",
    "inRange": "в диапазоне",
    "blank": "пусто",
    "notBlank": "не пусто",
}


def grid_filter_mask(frame: pd.DataFrame, model: dict) -> pd.Series:
    """Rows passing an AG Grid filter model ({column: condition or {operator, conditions}})."""
    mask = pd.Series(True, index=frame.index)
    for column, condition in (model or {}).items():
        if column not in frame.columns or column not in TABLE_COLUMNS:
            raise RfmaError(f"фильтр по неизвестной колонке {column!r}")
        mask &= _condition_mask(frame[column], condition)
    return mask


def _condition_mask(series: pd.Series, condition: dict) -> pd.Series:
    if "conditions" in condition:
        parts = [
            _condition_mask(series, c | {"filterType": condition.get("filterType")}) for c in condition["conditions"]
        ]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined | part) if condition.get("operator") == "OR" else (combined & part)
        return combined
    kind, test = condition.get("filterType"), condition.get("type")
    if test == "blank":
        return series.isna()
    if test == "notBlank":
        return series.notna()
    if kind == "text":
        value = str(condition.get("filter") or "")
        if test not in _TEXT_TESTS:
            raise RfmaError(f"неподдерживаемый текстовый фильтр {test!r}")
        return _TEXT_TESTS[test](series.astype(str).str.lower(), value.lower()).fillna(False)
    if kind == "number":
        if test not in _NUMBER_TESTS:
            raise RfmaError(f"неподдерживаемый числовой фильтр {test!r}")
        value, to = condition.get("filter"), condition.get("filterTo")
        if value is None:
            return pd.Series(True, index=series.index)
        return _NUMBER_TESTS[test](series.astype("float64"), float(value), None if to is None else float(to)).fillna(
            False
        )
    if kind == "date":
        if test not in _NUMBER_TESTS:
            raise RfmaError(f"неподдерживаемый фильтр даты {test!r}")
        value, to = condition.get("dateFrom"), condition.get("dateTo")
        if not value:
            return pd.Series(True, index=series.index)
        days = pd.to_datetime(series).dt.normalize()
        return _NUMBER_TESTS[test](days, pd.Timestamp(value[:10]), None if not to else pd.Timestamp(to[:10])).fillna(
            False
        )
    raise RfmaError(f"неподдерживаемый тип фильтра {kind!r}")


def describe_grid_filter(model: dict) -> str:
    """A one-line Russian description of a grid filter model."""
    parts = []
    for column, condition in (model or {}).items():
        conditions = condition.get("conditions") or [condition]
        joiner = " или " if condition.get("operator") == "OR" else " и "
        texts = []
        for c in conditions:
            value = c.get("filter", c.get("dateFrom"))
            to = c.get("filterTo", c.get("dateTo"))
            text = f"{_TYPE_NAMES.get(c.get('type'), c.get('type'))}"
            if value is not None:
                text += f" {value}" + (f" … {to}" if to not in (None, "") and c.get("type") == "inRange" else "")
            texts.append(text)
        parts.append(f"{column} " + joiner.join(texts))
    return "; ".join(parts)


def sort_clients(frame: pd.DataFrame, sort_model: list[dict] | None) -> pd.DataFrame:
    """Sorted by an AG Grid sort model ([{colId, sort: asc|desc}]), ties by card; unsorted = card order."""
    return frame.take(sort_positions(frame, np.arange(len(frame)), sort_model))


def sort_positions(clients: pd.DataFrame, positions: np.ndarray, sort_model: list[dict] | None) -> np.ndarray:
    """`positions` of `clients` reordered as `sort_clients` orders those rows; copies only the sort-key columns."""
    columns, ascending = _sort_keys(clients, sort_model)
    positions = np.asarray(positions, dtype=np.intp)
    keys = clients.iloc[positions, [clients.columns.get_loc(c) for c in columns]].reset_index(drop=True)
    order = keys.sort_values(columns, ascending=ascending, kind="stable", na_position="last").index.to_numpy()
    return positions[order]


def _sort_keys(frame: pd.DataFrame, sort_model: list[dict] | None) -> tuple[list[str], list[bool]]:
    columns, ascending = [], []
    for item in sort_model or []:
        column, direction = item.get("colId"), item.get("sort")
        if (
            column in TABLE_COLUMNS
            and column in frame.columns
            and direction in ("asc", "desc")
            and column not in columns
        ):
            columns.append(column)
            ascending.append(direction == "asc")
    if "card" not in columns:
        columns.append("card")
        ascending.append(True)
    return columns, ascending


def sort_model_of(column_state: list[dict] | None) -> list[dict]:
    """The sort model held in an AG Grid column state (entries with sort, ordered by sortIndex)."""
    entries = [c for c in (column_state or []) if c.get("sort") in ("asc", "desc")]
    entries.sort(key=lambda c: (c.get("sortIndex") is None, c.get("sortIndex") or 0))
    return [{"colId": c.get("colId"), "sort": c["sort"]} for c in entries]


def page_records(frame: pd.DataFrame, start: int, end: int) -> list[dict]:
    """Rows start…end-1 of a (sorted) frame as JSON-ready records: ISO dates, rounded money."""
    part = frame.iloc[max(0, int(start)) : max(0, int(end))]
    records = []
    columns = [c for c in TABLE_COLUMNS if c in part.columns]
    values = {c: part[c].to_numpy() for c in columns}
    for i in range(len(part)):
        row = {}
        for c in columns:
            row[c] = _json_value(c, values[c][i])
        records.append(row)
    return records


def _json_value(column: str, value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if column in ("first_date", "last_date"):
        return str(np.datetime64(value, "D"))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 6 if column == "frequency" else 2)
    return value if isinstance(value, (str, int, float, bool)) else str(value)


# --- who bought where ---------------------------------------------------------------------------------------


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
    conn: sa.Connection | sa.Engine, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
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
    analysis_date: object
    thresholds: dict
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


_CHILD_LEVEL = {"all": "region", "warmth": "region", "region": "cluster", "cluster": "class", "class": "class"}


def breakdown(clients: pd.DataFrame, segment: Segment) -> pd.DataFrame:
    """Clients and revenue of a selection by the level below its segment (regions of all clients, clusters of a
    region, classes of a cluster …): columns level, code, label, clients, revenue, in code order."""
    level = _CHILD_LEVEL[segment.level]
    if clients.empty:
        return pd.DataFrame({"level": [], "code": [], "label": [], "clients": [], "revenue": []}).astype(
            {"clients": "int64", "revenue": "float64"}
        )
    grouped = clients.groupby(clients[level].astype(str)).agg(clients=("card", "size"), revenue=("revenue", "sum"))
    grouped = grouped.sort_index()
    labels = [Segment(level, code).label for code in grouped.index]
    return pd.DataFrame(
        {
            "level": level,
            "code": grouped.index.to_numpy(),
            "label": labels,
            "clients": grouped["clients"].to_numpy(dtype="int64"),
            "revenue": grouped["revenue"].to_numpy(dtype="float64"),
        }
    )
