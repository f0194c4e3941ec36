"""The RFMA engine: per-client base from SQL, suggested thresholds with repairs, grading (SPEC §1–4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import queries
from core.db import fetch_arrow, fetch_frames, reads_cheques, recorded_doc_ids_unique, with_postgresql_settings
from core.model import (
    DEFAULT_CHURN_PERIOD,
    THRESHOLD_NAMES,
    AnalysisOptions,
    Period,
    ThresholdPins,
    Thresholds,
    check_order,
)
from core.segments import (
    CLUSTER_NAMES,
    REGION_NAMES,
    REGION_OF_CLUSTER,
    class_table,
    grade_age,
    grade_frequency,
    grade_monetary,
    grade_recency,
    segment_codes,
    warmth_of_region,
)
from core.stats import percentile_disc, percentile_disc_hist

NO_IDENTIFIED_MESSAGE = "В выбранном периоде нет идентифицированных чеков: классифицировать некого."
NO_CHEQUES_MESSAGE = "В выбранном периоде нет ни одного чека."
AVG_CHEQUE_DECIMALS = 9  # exact for cent amounts up to ~10^7 purchases per client; removes 1e-17 noise

CLIENT_COLUMNS = [
    "card",
    "first_date",
    "last_date",
    "purchases",
    "revenue",
    "avg_cheque",
    "recency_days",
    "age_days",
    "frequency",
    "r",
    "f",
    "m",
    "a",
    "class",
    "cluster",
    "region",
    "warmth",
    "class_name",
    "cluster_name",
    "region_name",
]


@dataclass(frozen=True, eq=False)
class ClientBase:
    """Everything grading needs, aggregated in SQL: one row per identified client plus two histograms."""

    period: Period
    analysis_date: dt.date | None
    cheques: int  # cheque rows in the period, identified or not
    clients: pd.DataFrame = field(repr=False)
    gap_histogram: pd.Series = field(repr=False)
    amount_histogram: pd.Series = field(repr=False)

    @property
    def analysis_day(self) -> int | None:
        """The analysis date T as a day number (days since 1970-01-01)."""
        return None if self.analysis_date is None else (self.analysis_date - queries.EPOCH).days

    @property
    def is_empty(self) -> bool:
        """True when the period has no identified client."""
        return self.clients.empty

    # Per-client arrays that do not depend on thresholds are computed once per base object and kept (read-only)
    # for every re-grading; they are not pickled, so a cached base stays as small as its SQL result.

    @cached_property
    def recency_days(self) -> np.ndarray:
        """D = T − last purchase date, per client."""
        return _frozen(self.analysis_day - self.clients["last_day"].to_numpy())

    @cached_property
    def age_days(self) -> np.ndarray:
        """A = T − first purchase date, per client."""
        return _frozen(self.analysis_day - self.clients["first_day"].to_numpy())

    @cached_property
    def avg_cheque(self) -> np.ndarray:
        """Average cheque = revenue / purchases, per client (rounded to 1e-9 so float noise never flips a grade)."""
        revenue, purchases = self.clients["revenue"].to_numpy(), self.clients["purchases"].to_numpy()
        return _frozen(np.round(revenue / purchases, AVG_CHEQUE_DECIMALS))

    @cached_property
    def first_dates(self) -> np.ndarray:
        """First purchase date per client (datetime64[s])."""
        return _frozen(_days_to_dates(self.clients["first_day"].to_numpy()))

    @cached_property
    def last_dates(self) -> np.ndarray:
        """Last purchase date per client (datetime64[s])."""
        return _frozen(_days_to_dates(self.clients["last_day"].to_numpy()))

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name not in _DERIVED}

    def empty_message(self) -> str | None:
        """Why this base cannot be classified, or None."""
        if self.cheques == 0:
            return NO_CHEQUES_MESSAGE
        if self.is_empty:
            return NO_IDENTIFIED_MESSAGE
        return None


_DERIVED = ("recency_days", "age_days", "avg_cheque", "first_dates", "last_dates", "_frequency")


def _frozen(values: np.ndarray) -> np.ndarray:
    """Mark an array shared by several results read-only, so no caller can change it for the others."""
    values.flags.writeable = False
    return values


@reads_cheques
def load_client_base(
    conn: sa.Connection | sa.Engine,
    period: Period = Period(),
    options: AnalysisOptions = AnalysisOptions(),
    with_shops: bool = False,
) -> ClientBase:
    """Aggregate the period's cheques in SQL into a ClientBase (per-client rows and two histograms).

    `with_shops` adds each client's number of distinct pharmacies (the dashboard's client table needs it; grading
    does not, and it costs a COUNT(DISTINCT) per client).
    """
    summary = conn.execute(queries.period_summary_query(period)).one()
    cheques, analysis_day = int(summary.cheques or 0), summary.analysis_day
    if analysis_day is None:
        return _empty_base(period, None, cheques, with_shops)
    whole_table = period.date_from is None and period.date_to is None
    unique = bool(recorded_doc_ids_unique(conn, rows=cheques if whole_table else None))
    if unique and not with_shops and conn.dialect.name == "duckdb":
        clients, gaps, amounts = _split_client_base(fetch_arrow(conn, queries.client_base_query(period, options)))
    else:  # a row store (or the general case): three queries, side by side on a server's connections
        clients, gaps, amounts = fetch_frames(
            conn,
            [
                _client_aggregates(conn, period, options, unique, with_shops),
                queries.gap_histogram_query(period, options),
                queries.amount_histogram_query(period, options, unique_doc_ids=unique),
            ],
        )
    clients = _normalise_clients(clients, with_shops)
    return ClientBase(
        period=period,
        analysis_date=queries.day_number_to_date(analysis_day),
        cheques=cheques,
        clients=clients,
        gap_histogram=_histogram(gaps, "gap_days", "gaps", "int64"),
        amount_histogram=_round_values(_histogram(amounts, "amount", "cheques", "float64"), AVG_CHEQUE_DECIMALS),
    )


def _client_aggregates(conn: sa.Connection, period: Period, options: AnalysisOptions, unique: bool, with_shops: bool):
    """Q2 for this backend. A server gets card order, planned as a GroupAggregate (no hash aggregation): with the
    covering (card, datetime) index the groups stream off the index; PostgreSQL's cost model sometimes prefers a
    hash table of every client instead, which spills to disk at 1.5M clients (17 s against 4 s at 10M cheques)."""
    server = conn.dialect.name != "duckdb"
    query = queries.client_aggregates_query(
        period, options, unique_doc_ids=unique, with_shops=with_shops, ordered=server
    )
    return with_postgresql_settings(query, enable_hashagg="off") if server else query


def _split_client_base(table) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The (clients, gap histogram, amount histogram) frames of queries.client_base_query's grouping sets (Arrow)."""
    by_card = table["by_card"].to_numpy() == 0
    by_gap = ~by_card & (table["by_gap"].to_numpy() == 0)
    client_rows = np.flatnonzero(by_card)
    clients = table.select(["card", "first_day", "last_day", "purchases", "revenue", "bonus_earned", "bonus_spent"])
    if len(client_rows) and client_rows[-1] - client_rows[0] + 1 == len(client_rows):
        clients = clients.slice(client_rows[0], len(client_rows))  # one set after another: no copy of 1.5M cards
    else:
        clients = clients.filter(by_card)
    others = ~by_card
    rest = table.select(["gap_days", "amount", "purchases"]).filter(others).to_pandas()
    gap_days = rest["gap_days"].to_numpy(dtype="float64", na_value=np.nan)
    amount = rest["amount"].to_numpy(dtype="float64", na_value=np.nan)
    purchases = rest["purchases"].to_numpy()
    is_gap = by_gap[others]
    gaps = is_gap & (gap_days > 0)  # NaN (a client's first row) and 0 (same day) compare False
    amounts = ~is_gap & ~np.isnan(amount)
    return (
        clients.to_pandas(),
        pd.DataFrame({"gap_days": gap_days[gaps].astype("int64"), "gaps": purchases[gaps]}),
        pd.DataFrame({"amount": amount[amounts], "cheques": purchases[amounts]}),
    )


def _empty_base(period: Period, analysis_date, cheques: int, with_shops: bool) -> ClientBase:
    return ClientBase(
        period,
        analysis_date,
        cheques,
        _normalise_clients(pd.DataFrame(), with_shops),
        _histogram(None, "", "", "int64"),
        _histogram(None, "", "", "float64"),
    )


def _normalise_clients(frame: pd.DataFrame, with_shops: bool) -> pd.DataFrame:
    dtypes = {
        "card": "str",
        "first_day": "int64",
        "last_day": "int64",
        "purchases": "int64",
        "revenue": "float64",
        "bonus_earned": "float64",
        "bonus_spent": "float64",
        "shops": "int64",
    }
    if not with_shops:
        del dtypes["shops"]
    if frame.empty:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})
    return frame.astype(dtypes)  # row order is the database's; exports sort by card


def _histogram(frame: pd.DataFrame | None, value: str, count: str, dtype: str) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype="int64", index=pd.Index([], dtype=dtype))
    return pd.Series(
        frame[count].to_numpy(dtype="int64"), index=pd.Index(frame[value].to_numpy(dtype=dtype))
    ).sort_index()


def _round_values(histogram: pd.Series, decimals: int) -> pd.Series:
    """Merge histogram values equal after rounding (sums of float columns carry 1e-15 noise)."""
    if histogram.empty:
        return histogram
    rounded = np.round(histogram.index.to_numpy(dtype="float64"), decimals)
    return histogram.groupby(rounded).sum().astype("int64")


def frequency_rate(base: ClientBase, base_interval: int, churn_period: int) -> np.ndarray:
    """F = round(n / intervals, 6); intervals = 1 for A <= B, else (min(last + r3, T) − first) / B."""
    key = (base_interval, churn_period)
    known = base.__dict__.get("_frequency")  # suggesting f1 and grading use the same (r1, r3): compute once
    if known is not None and known[0] == key:
        return known[1]
    first = base.clients["first_day"].to_numpy()
    last = base.clients["last_day"].to_numpy()
    purchases = base.clients["purchases"].to_numpy()
    age = base.analysis_day - first
    end = np.minimum(last + churn_period, base.analysis_day)
    with np.errstate(divide="ignore", invalid="ignore"):
        intervals = np.where(age <= base_interval, 1.0, (end - first) / base_interval)
        rate = _frozen(np.round(purchases / intervals, 6))
    base.__dict__["_frequency"] = (key, rate)  # the frozen dataclass's own cache slot, like cached_property's
    return rate


@dataclass(frozen=True)
class ThresholdSuggestion:
    """The thresholds in force (pinned or suggested) with the churn period, base interval and repair warnings."""

    thresholds: Thresholds | None
    churn_period: int
    base_interval: int | None
    warnings: tuple[str, ...]
    pinned: frozenset[str]
    raw: dict = field(default_factory=dict, compare=False, hash=False)

    def as_json(self, analysis_date: dt.date | None) -> dict:
        """The CLI's JSON document: analysis_date, churn_period, base_interval, the nine thresholds, warnings."""
        values = self.thresholds.as_dict() if self.thresholds else dict.fromkeys(THRESHOLD_NAMES)
        return {
            "analysis_date": analysis_date.isoformat() if analysis_date else None,
            "churn_period": self.churn_period,
            "base_interval": self.base_interval,
            **{k: _plain(v) for k, v in values.items()},
            "pinned": sorted(self.pinned),
            "warnings": list(self.warnings),
        }


def _plain(value):
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def suggest_thresholds(base: ClientBase, pins: ThresholdPins = ThresholdPins()) -> ThresholdSuggestion:
    """Suggested thresholds from data, repaired in SPEC order, with pinned values used wherever given.

    Raises ThresholdOrderError when the resulting set (because of a pinned value) is not ordered.
    """
    warnings: list[str] = []
    pinned = frozenset(pins.as_dict())
    raw: dict[str, float | None] = {}

    churn = percentile_disc_hist(base.gap_histogram, 0.95)
    raw["churn_period"] = churn
    if churn is None:
        churn = DEFAULT_CHURN_PERIOD
        if not base.is_empty:
            warnings.append(
                f"Правило 1: ни один клиент не покупал в две разные даты — период оттока C = {DEFAULT_CHURN_PERIOD} "
                "(значение по умолчанию)."
            )
    churn = int(churn)
    if base.is_empty:
        message = base.empty_message() or NO_IDENTIFIED_MESSAGE
        return ThresholdSuggestion(None, churn, None, (message,), pinned, raw)

    recency = base.recency_days
    p20, p40 = percentile_disc(recency, 0.2), percentile_disc(recency, 0.4)
    raw.update(p20_recency=p20, p40_recency=p40)

    if pins.r3 is not None:
        r3 = pins.r3
    else:
        r3 = max(churn, 3)
        if r3 != churn:
            warnings.append(f"Правило 2: r3 = max(C, 3) = 3, так как период оттока C = {churn} меньше 3 дней.")
    if pins.r2 is not None:
        r2 = pins.r2
    else:
        r2 = int(min(max(p40, 2), r3 - 1))
        if r2 != p40:
            warnings.append(
                f"Правило 2: r2 = min(max(p40(D), 2), r3 − 1) = {r2}, а не 40-й перцентиль давности {p40:g} "
                f"(r3 = {r3})."
            )
    if pins.r1 is not None:
        r1 = pins.r1
    else:
        r1 = int(min(max(p20, 1), r2 - 1))
        if r1 != p20:
            warnings.append(
                f"Правило 2: r1 = min(max(p20(D), 1), r2 − 1) = {r1}, а не 20-й перцентиль давности {p20:g} "
                f"(r2 = {r2})."
            )

    f2 = pins.f2 if pins.f2 is not None else round(r1 / r3, 6)
    if pins.f1 is not None:
        f1 = pins.f1
    else:
        f1 = percentile_disc(frequency_rate(base, r1, r3), 0.85)
        raw["p85_frequency"] = f1
        if f1 <= f2:
            repaired = round(f2 + 0.000001, 6)
            warnings.append(
                f"Правило 3: 85-й перцентиль частоты {f1:g} не больше f2 = {f2:g} — f1 = f2 + 0,000001 = {repaired:g}."
            )
            f1 = repaired

    p80, p40m = percentile_disc_hist(base.amount_histogram, 0.8), percentile_disc_hist(base.amount_histogram, 0.4)
    raw.update(p80_amount=p80, p40_amount=p40m)
    m1 = pins.m1 if pins.m1 is not None else p80
    if pins.m2 is not None:
        m2 = pins.m2
    else:
        m2 = p40m
        if m2 >= m1:
            repaired = round(m1 - 0.01, 6)
            warnings.append(
                f"Правило 4: 40-й перцентиль суммы чека {m2:g} не меньше m1 = {m1:g} — m2 = m1 − 0,01 = {repaired:g}."
            )
            m2 = repaired

    thresholds = Thresholds(
        r1=int(r1),
        r2=int(r2),
        r3=int(r3),
        f1=float(f1),
        f2=float(f2),
        m1=float(m1),
        m2=float(m2),
        a1=int(pins.a1 if pins.a1 is not None else Thresholds.__dataclass_fields__["a1"].default),
        a2=int(pins.a2 if pins.a2 is not None else Thresholds.__dataclass_fields__["a2"].default),
    )
    check_order(thresholds)
    return ThresholdSuggestion(thresholds, churn, int(r1), tuple(warnings), pinned, raw)


def grade_clients(base: ClientBase, thresholds: Thresholds) -> pd.DataFrame:
    """Every identified client with metrics, R/F/M/A grades, class, cluster, region, warmth and names.

    Columns: CLIENT_COLUMNS plus bonus_earned, bonus_spent, and shops when the base was loaded with them.
    """
    check_order(thresholds)
    clients = base.clients
    if base.is_empty:
        return _empty_graded("shops" in clients)
    recency = base.recency_days
    age = base.age_days
    avg = base.avg_cheque
    frequency = frequency_rate(base, thresholds.r1, thresholds.r3)
    r = grade_recency(recency, thresholds)
    f = grade_frequency(frequency, thresholds)
    m = grade_monetary(avg, thresholds)
    a = grade_age(age, thresholds)
    code, cluster, region = segment_codes(r, f, m, a)
    frame = pd.DataFrame(
        {
            "card": clients["card"].reset_index(drop=True),
            "first_date": base.first_dates,
            "last_date": base.last_dates,
            "purchases": clients["purchases"].to_numpy(),
            "revenue": clients["revenue"].to_numpy(),
            "avg_cheque": avg,
            "recency_days": recency,
            "age_days": age,
            "frequency": frequency,
            "r": r,
            "f": f,
            "m": m,
            "a": a,
            "class": _labels(code, _CLASS_LABELS),
            "cluster": cluster.astype("int64"),
            "region": region.astype("int64"),
            "warmth": (region // 100).astype("int64"),
            "class_name": _labels(code, _CLASS_NAME_LABELS),
            "cluster_name": _labels(cluster, _CLUSTER_NAME_LABELS),
            "region_name": _labels(region, _REGION_NAME_LABELS),
            "bonus_earned": clients["bonus_earned"].to_numpy(),
            "bonus_spent": clients["bonus_spent"].to_numpy(),
        },
        copy=False,  # no consolidation into 2-D blocks: that copy was 60% of re-grading 1.5M clients
    )
    if "shops" in clients:
        frame["shops"] = clients["shops"].to_numpy()
    return frame


def _label_lookup(labels: dict[int, str]) -> tuple[np.ndarray, list[str]]:
    """(position of each integer code in the category list, the category list) for categorical labels."""
    categories = list(dict.fromkeys(labels.values()))
    position = np.full(max(labels) + 1, -1, dtype=np.int16)
    for code, label in labels.items():
        position[code] = categories.index(label)
    return position, categories


def _labels(codes: np.ndarray, lookup: tuple[np.ndarray, list[str]]) -> pd.Categorical:
    """Labels of integer codes as a categorical (108 categories at most: no per-row strings)."""
    position, categories = lookup
    return pd.Categorical.from_codes(position[np.asarray(codes)], categories=categories)


_CLASSES = class_table()
_CLASS_INT = (_CLASSES["r"] * 1000 + _CLASSES["f"] * 100 + _CLASSES["m"] * 10 + _CLASSES["a"]).tolist()
_CLASS_LABELS = _label_lookup(dict(zip(_CLASS_INT, _CLASSES["class"], strict=False)))
_CLASS_NAME_LABELS = _label_lookup(dict(zip(_CLASS_INT, _CLASSES["class_name"], strict=False)))
_CLUSTER_NAME_LABELS = _label_lookup(CLUSTER_NAMES)
_REGION_NAME_LABELS = _label_lookup(REGION_NAMES)


def _days_to_dates(days: np.ndarray) -> np.ndarray:
    return (np.datetime64("1970-01-01", "D") + days.astype("timedelta64[D]")).astype("datetime64[s]")


GRADED_DTYPES = {
    "card": "str",
    "first_date": "datetime64[s]",
    "last_date": "datetime64[s]",
    "purchases": "int64",
    "revenue": "float64",
    "avg_cheque": "float64",
    "recency_days": "int64",
    "age_days": "int64",
    "frequency": "float64",
    "r": "int8",
    "f": "int8",
    "m": "int8",
    "a": "int8",
    "cluster": "int64",
    "region": "int64",
    "warmth": "int64",
    "bonus_earned": "float64",
    "bonus_spent": "float64",
    "shops": "int64",
}


def _empty_graded(with_shops: bool) -> pd.DataFrame:
    """A graded frame with no rows and the same columns and dtypes as grade_clients' result."""
    empty = np.array([], dtype=np.int16)
    frame = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in GRADED_DTYPES.items()})
    frame["class"] = _labels(empty, _CLASS_LABELS)
    frame["class_name"] = _labels(empty, _CLASS_NAME_LABELS)
    frame["cluster_name"] = _labels(empty, _CLUSTER_NAME_LABELS)
    frame["region_name"] = _labels(empty, _REGION_NAME_LABELS)
    return frame[CLIENT_COLUMNS + ["bonus_earned", "bonus_spent"] + (["shops"] if with_shops else [])]


@dataclass(frozen=True, eq=False)
class Classification:
    """One analysis: the client base, the thresholds in force and every client's segment."""

    base: ClientBase
    suggestion: ThresholdSuggestion
    clients: pd.DataFrame = field(repr=False)

    @property
    def thresholds(self) -> Thresholds | None:
        """The threshold set used for grading."""
        return self.suggestion.thresholds

    @property
    def message(self) -> str | None:
        """Why the result is empty (no cheques / no identified clients), or None."""
        return self.base.empty_message()


def classify_base(base: ClientBase, pins: ThresholdPins = ThresholdPins()) -> Classification:
    """Suggest (or take pinned) thresholds for a ClientBase and grade every client."""
    suggestion = suggest_thresholds(base, pins)
    if suggestion.thresholds is None:
        return Classification(base, suggestion, _empty_graded("shops" in base.clients))
    return Classification(base, suggestion, grade_clients(base, suggestion.thresholds))


def classify(
    conn: sa.Connection | sa.Engine,
    period: Period = Period(),
    pins: ThresholdPins = ThresholdPins(),
    options: AnalysisOptions = AnalysisOptions(),
    with_shops: bool = False,
) -> Classification:
    """One call from database to every client's class, cluster and region."""
    return classify_base(load_client_base(conn, period, options, with_shops), pins)


def class_counts(clients: pd.DataFrame) -> pd.DataFrame:
    """All 108 classes (empty ones with 0) with client counts, in R, F, M, A order."""
    table = class_table()
    counts = clients.groupby("class").size() if not clients.empty else pd.Series(dtype="int64")
    table["clients"] = counts.reindex(table["class"]).fillna(0).astype("int64").to_numpy()
    return table


def segment_summary(clients: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per cluster or region: clients, share, revenue, revenue share, avg cheque, mean R/F/M/A, bonus spent share."""
    if level not in ("cluster", "region"):
        raise ValueError(f"level must be 'cluster' or 'region', not {level!r}")
    names = CLUSTER_NAMES if level == "cluster" else REGION_NAMES
    index = pd.Index(list(names), name=level)
    grouped = clients.groupby(level)
    total_clients = len(clients)
    total_revenue = float(clients["revenue"].sum()) if total_clients else 0.0
    summary = pd.DataFrame(index=index)
    summary[f"{level}_name"] = [names[c] for c in index]
    summary["warmth"] = [warmth_of_region(c if level == "region" else REGION_OF_CLUSTER[c]) for c in index]
    summary["clients"] = grouped.size().reindex(index).fillna(0).astype("int64")
    summary["share"] = summary["clients"] / total_clients if total_clients else 0.0
    revenue = grouped["revenue"].sum().reindex(index).fillna(0.0)
    summary["revenue"] = revenue
    summary["revenue_share"] = revenue / total_revenue if total_revenue else 0.0
    purchases = grouped["purchases"].sum().reindex(index)
    summary["avg_cheque"] = revenue / purchases
    for metric in ("recency_days", "frequency", "avg_cheque", "age_days"):
        summary[f"mean_{metric}"] = grouped[metric].mean().reindex(index)
    bonus = grouped["bonus_spent"].sum().reindex(index).fillna(0.0)
    summary["bonus_spent_share"] = (bonus / revenue).where(revenue > 0)
    return summary.reset_index()
