"""Threshold research (tab «Пороги») and a client's cheques (tab «Финал»): statistics, deciles, capacities.

SQL is SQLAlchemy Core (DuckDB and PostgreSQL); the statistics are exact percentile_disc over values or
value histograms (core.stats), never an interpolated percentile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import queries
from core.db import bonuscheques, reads_cheques, recorded_doc_ids_unique
from core.fetch import fetch_frame
from core.model import AnalysisOptions, Period
from core.overview import cheques_subquery, shop_sort_key
from core.segments import GRADE_NAMES
from core.stats import percentile_disc, percentile_disc_hist

DECILES = tuple(round(q / 10, 1) for q in range(1, 11))


def amount_histograms_query(period: Period, options: AnalysisOptions, unique_doc_ids: bool = False) -> sa.Select:
    """Histogram of cheque amounts (one value per doc_id) split by identification: identified, amount, cheques."""
    c = cheques_subquery(period, options, unique_doc_ids)
    return (
        sa.select(
            c.c.identified,
            queries.as_double(c.c.amount).label("amount"),
            sa.func.count().label("cheques"),
        )
        .group_by(c.c.identified, c.c.amount)
        .order_by(c.c.identified, c.c.amount)
    )


@reads_cheques
def load_amount_histograms(
    conn: sa.Connection, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> dict[bool, pd.Series]:
    """{True: identified histogram, False: unidentified histogram}, each amount → number of cheques."""
    frame = fetch_frame(conn, amount_histograms_query(period, options, bool(recorded_doc_ids_unique(conn))))
    result = {}
    for flag in (True, False):
        part = frame[frame["identified"].astype(int) == int(flag)] if not frame.empty else frame
        result[flag] = pd.Series(
            part["cheques"].to_numpy(dtype="int64") if not part.empty else np.array([], dtype="int64"),
            index=pd.Index(part["amount"].to_numpy(dtype="float64") if not part.empty else [], dtype="float64"),
        ).sort_index()
    return result


def client_cheques_query(card: str, period: Period, options: AnalysisOptions) -> sa.Select:
    """The cheques of one card in the period, one row per doc_id, oldest first: the amount in use, the discount
    (summ − summ_with_disc) and the bonuses. The card is a bound parameter, never part of the SQL text."""
    t = bonuscheques

    def total(column) -> sa.ColumnElement:
        return queries.as_double(sa.func.coalesce(sa.func.sum(column), 0))

    return (
        sa.select(
            t.c.doc_id,
            sa.func.min(t.c.datetime).label("datetime"),
            sa.func.min(t.c.shop).label("shop"),
            total(queries.amount(options, t)).label("amount"),
            total(t.c.summ - t.c.summ_with_disc).label("discount"),
            total(t.c.bonus_earned).label("bonus_earned"),
            total(t.c.bonus_spent).label("bonus_spent"),
        )
        .where(t.c.card == sa.bindparam("card", card, type_=sa.Text), *queries.period_conditions(period))
        .group_by(t.c.doc_id)
        .order_by(sa.func.min(t.c.datetime), t.c.doc_id)
    )


CHEQUE_COLUMNS = ("doc_id", "datetime", "shop", "amount", "discount", "bonus_earned", "bonus_spent")


@reads_cheques
def load_client_cheques(
    conn: sa.Connection, card: str, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> pd.DataFrame:
    """Columns doc_id, datetime, shop, amount, discount, bonus_earned, bonus_spent; oldest first."""
    frame = fetch_frame(conn, client_cheques_query(card, period, options))
    if frame.empty:
        return pd.DataFrame(
            {
                "doc_id": pd.Series(dtype="str"),
                "datetime": pd.Series(dtype="datetime64[us]"),
                "shop": pd.Series(dtype="str"),
                **{name: pd.Series(dtype="float64") for name in CHEQUE_COLUMNS[3:]},
            }
        )
    frame["datetime"] = pd.to_datetime(frame["datetime"])
    return frame.reset_index(drop=True)


def latest_cheques(cheques: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The `limit` newest cheques of a load_client_cheques frame, newest first (at the same moment, larger doc_id
    first)."""
    ordered = cheques.sort_values(["datetime", "doc_id"], ascending=False, kind="stable")
    return ordered.head(max(0, limit)).reset_index(drop=True)


def client_shops(cheques: pd.DataFrame) -> pd.DataFrame:
    """The pharmacies of a load_client_cheques frame: shop, cheques, revenue (sum of amount); most cheques first,
    then more revenue, then the pharmacy's natural order (Аптека 2 before Аптека 10)."""
    if cheques.empty:
        return pd.DataFrame(
            {"shop": pd.Series(dtype="str"), "cheques": pd.Series(dtype="int64"), "revenue": pd.Series(dtype="float64")}
        )
    shops = (
        cheques.groupby("shop", dropna=False).agg(cheques=("doc_id", "size"), revenue=("amount", "sum")).reset_index()
    )
    shops["cheques"] = shops["cheques"].astype("int64")
    counts, revenues, names = shops["cheques"].tolist(), shops["revenue"].tolist(), shops["shop"].astype(str).tolist()

    def key(i: int) -> tuple:
        return (-counts[i], -revenues[i], shop_sort_key(names[i]))

    return shops.iloc[sorted(range(len(shops)), key=key)].reset_index(drop=True)


def describe(values) -> dict[str, float | int | None]:
    """count, min, max, mean and median (percentile_disc 0.5) of the values."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return {"count": 0, "min": None, "max": None, "mean": None, "median": None}
    return {
        "count": int(arr.size),
        "min": float(arr.min()),
        "max": float(arr.max()),
        "mean": float(arr.mean()),
        "median": percentile_disc(arr, 0.5),
    }


def describe_histogram(histogram: pd.Series) -> dict[str, float | int | None]:
    """The same statistics over a value → count histogram."""
    hist = histogram[histogram > 0]
    total = int(hist.sum())
    if total == 0:
        return {"count": 0, "min": None, "max": None, "mean": None, "median": None}
    values = hist.index.to_numpy(dtype=float)
    return {
        "count": total,
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float((values * hist.to_numpy()).sum() / total),
        "median": percentile_disc_hist(hist, 0.5),
    }


def deciles(values, upto: int = 10) -> pd.DataFrame:
    """Deciles 1…upto (percentile_disc q = 0.1 … upto/10): columns decile, value."""
    return pd.DataFrame(
        {"decile": list(range(1, upto + 1)), "value": [percentile_disc(values, q) for q in DECILES[:upto]]}
    )


def histogram_deciles(histogram: pd.Series, upto: int = 10) -> pd.DataFrame:
    """Deciles over a value → count histogram: columns decile, value."""
    return pd.DataFrame(
        {"decile": list(range(1, upto + 1)), "value": [percentile_disc_hist(histogram, q) for q in DECILES[:upto]]}
    )


def grade_capacity(clients: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Clients per grade of one metric (r, f, m or a), every grade listed: grade, name, clients, share."""
    names = GRADE_NAMES[metric]
    counts = clients[metric].value_counts() if not clients.empty else pd.Series(dtype="int64")
    index = list(names)
    counts = counts.reindex(index).fillna(0).astype("int64")
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "grade": index,
            "name": [names[g] for g in index],
            "clients": counts.to_numpy(),
            "share": (counts / total).to_numpy() if total else np.zeros(len(index)),
        }
    )


@dataclass(frozen=True, eq=False)
class Research:
    """Everything the «Пороги» tab draws, small enough to cache: statistics, deciles, distributions, capacities."""

    thresholds: dict[str, float]
    pinned: tuple[str, ...]
    suggested: dict[str, float]
    churn_period: int
    base_interval: int
    warnings: tuple[str, ...]
    analysis_date: object
    stats: dict[str, dict] = field(repr=False)  # metric → describe()
    recency_deciles: pd.DataFrame = field(repr=False)
    gap_histogram: pd.DataFrame = field(repr=False)  # gap_days, gaps
    frequency_histogram: pd.DataFrame = field(repr=False)  # left, right, clients
    monetary_deciles: pd.DataFrame = field(repr=False)  # decile, identified, unidentified
    age_histogram: pd.DataFrame = field(repr=False)  # left, right, clients
    capacities: dict[str, pd.DataFrame] = field(repr=False)  # metric → grade_capacity()


def binned(values, upper: float | None = None, bins: int = 40) -> pd.DataFrame:
    """Histogram of values over [0, upper] (values above land in the last bin): left, right, clients."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return pd.DataFrame({"left": [], "right": [], "clients": []})
    top = float(upper if upper is not None else arr.max()) or 1.0
    counts, edges = np.histogram(np.clip(arr, 0, top), bins=bins, range=(0, top))
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "clients": counts.astype("int64")})


def build_research(classification, amount_histograms: dict[bool, pd.Series], suggested: dict[str, float]) -> Research:
    """Assemble the «Пороги» figures' data from a Classification and the cheque-amount histograms."""
    base = classification.base
    suggestion = classification.suggestion
    clients = classification.clients
    thresholds = suggestion.thresholds.as_dict()
    frequency = clients["frequency"].to_numpy(dtype=float)
    stats = {
        "recency": describe(base.recency_days),
        "frequency": describe(frequency),
        "monetary": describe_histogram(amount_histograms[True]),
        "monetary_clients": describe(clients["avg_cheque"].to_numpy(dtype=float)),
        "age": describe(base.age_days),
        "gaps": describe_histogram(base.gap_histogram),
    }
    gaps = base.gap_histogram
    f_upper = max(thresholds["f1"] * 2.5, percentile_disc(frequency, 0.95) or 1.0)
    ident = histogram_deciles(amount_histograms[True], 9)
    unident = histogram_deciles(amount_histograms[False], 9)
    return Research(
        thresholds=thresholds,
        pinned=tuple(sorted(suggestion.pinned)),
        suggested=suggested,
        churn_period=int(suggestion.churn_period),
        base_interval=int(suggestion.base_interval),
        warnings=tuple(suggestion.warnings),
        analysis_date=base.analysis_date,
        stats=stats,
        recency_deciles=deciles(base.recency_days),
        gap_histogram=pd.DataFrame({"gap_days": gaps.index.to_numpy(), "gaps": gaps.to_numpy()}),
        frequency_histogram=binned(frequency, f_upper),
        monetary_deciles=pd.DataFrame(
            {"decile": ident["decile"], "identified": ident["value"], "unidentified": unident["value"]}
        ),
        age_histogram=binned(base.age_days, None, 36),
        capacities={metric: grade_capacity(clients, metric) for metric in ("r", "f", "m", "a")},
    )
