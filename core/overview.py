"""Overview figures of the cheques table (tabs «Клиенты» and «Аптеки», SPEC §6), aggregated in SQL.

Every query is SQLAlchemy Core and runs on DuckDB and PostgreSQL; pandas only reshapes the small results.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from core import queries
from core.db import bonuscheques, reads_cheques, recorded_doc_ids_unique
from core.fetch import fetch_frames
from core.model import AnalysisOptions, Period


@dataclass(frozen=True, eq=False)
class Overview:
    """The period's totals, monthly series and per-pharmacy figures."""

    period: Period
    first_date: dt.date | None
    last_date: dt.date | None
    cheques: int
    unidentified_cheques: int
    revenue: float
    unidentified_revenue: float
    monthly: pd.DataFrame = field(repr=False)  # month, identified, cheques, revenue
    new_clients: pd.DataFrame = field(repr=False)  # month, clients
    shops: pd.DataFrame = field(repr=False)  # shop, identified, cheques, revenue, avg_cheque, median_cheque
    shop_monthly: pd.DataFrame = field(repr=False)  # shop, month, revenue, cheques

    @property
    def is_empty(self) -> bool:
        return self.cheques == 0

    @property
    def unidentified_cheque_share(self) -> float:
        return self.unidentified_cheques / self.cheques if self.cheques else 0.0

    @property
    def unidentified_revenue_share(self) -> float:
        return self.unidentified_revenue / self.revenue if self.revenue else 0.0

    def shop_names(self) -> list[str]:
        """Pharmacies in natural order (Аптека 2 before Аптека 10)."""
        return sorted(self.shops["shop"].unique(), key=shop_sort_key)

    def shop_table(self) -> pd.DataFrame:
        """One row per pharmacy: cheques, revenue, unidentified shares, avg/median cheque by identification."""
        shops = self.shops
        names = self.shop_names()
        if not names:
            return pd.DataFrame(columns=SHOP_TABLE_COLUMNS)
        wide = shops.pivot_table(
            index="shop",
            columns="identified",
            values=["cheques", "revenue", "avg_cheque", "median_cheque"],
            aggfunc="first",
        )
        table = pd.DataFrame(index=pd.Index(names, name="shop"))

        def part(value: str, flag: bool) -> pd.Series:
            if (value, flag) in wide.columns:
                return wide[(value, flag)].reindex(table.index)
            return pd.Series(float("nan"), index=table.index)

        cheques_id, cheques_un = part("cheques", True).fillna(0), part("cheques", False).fillna(0)
        revenue_id, revenue_un = part("revenue", True).fillna(0.0), part("revenue", False).fillna(0.0)
        table["cheques"] = (cheques_id + cheques_un).astype("int64")
        table["unidentified_cheques"] = cheques_un.astype("int64")
        table["revenue"] = (revenue_id + revenue_un).astype("float64")
        table["unidentified_revenue"] = revenue_un.astype("float64")
        table["unidentified_cheque_share"] = (table["unidentified_cheques"] / table["cheques"]).where(
            table["cheques"] > 0
        )
        table["unidentified_revenue_share"] = (table["unidentified_revenue"] / table["revenue"]).where(
            table["revenue"] > 0
        )
        table["avg_identified"] = part("avg_cheque", True).astype("float64")
        table["avg_unidentified"] = part("avg_cheque", False).astype("float64")
        table["median_identified"] = part("median_cheque", True).astype("float64")
        table["median_unidentified"] = part("median_cheque", False).astype("float64")
        last_month = self.shop_monthly.groupby("shop")["month"].max()
        table["last_month"] = last_month.reindex(table.index)
        return table.reset_index()[SHOP_TABLE_COLUMNS]


SHOP_TABLE_COLUMNS = [
    "shop",
    "cheques",
    "unidentified_cheques",
    "unidentified_cheque_share",
    "revenue",
    "unidentified_revenue",
    "unidentified_revenue_share",
    "avg_identified",
    "avg_unidentified",
    "median_identified",
    "median_unidentified",
    "last_month",
]


def shop_sort_key(name: str) -> tuple:
    """Natural sort key: numbers inside the name compare as numbers."""
    parts = re.split(r"(\d+)", str(name))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


def _month(column) -> sa.ColumnElement:
    return sa.cast(sa.func.date_trunc("month", column), sa.Date)


def cheques_subquery(period: Period, options: AnalysisOptions, unique_doc_ids: bool = False):
    """One row per cheque (doc_id) in the period: datetime, shop, identified flag, amount.

    With `unique_doc_ids` (recorded at import: every row is its own cheque) the rows are the cheques already and
    no GROUP BY doc_id runs; the values are the same either way.
    """
    t = bonuscheques
    flag = sa.case((queries.identified(options), 1), else_=0)
    if unique_doc_ids:
        return (
            sa.select(
                t.c.doc_id,
                t.c.datetime.label("datetime"),
                t.c.shop.label("shop"),
                flag.label("identified"),
                sa.func.coalesce(queries.amount(options, t), 0).label("amount"),
            )
            .where(*queries.period_conditions(period))
            .subquery("cheques")
        )
    return (
        sa.select(
            t.c.doc_id,
            sa.func.min(t.c.datetime).label("datetime"),
            sa.func.min(t.c.shop).label("shop"),
            sa.func.max(flag).label("identified"),
            sa.func.coalesce(sa.func.sum(queries.amount(options, t)), 0).label("amount"),
        )
        .where(*queries.period_conditions(period))
        .group_by(t.c.doc_id)
        .subquery("cheques")
    )


def monthly_query(period: Period, options: AnalysisOptions, unique_doc_ids: bool = False) -> sa.Select:
    """Cheques and revenue per month, split by identification."""
    c = cheques_subquery(period, options, unique_doc_ids)
    month = _month(c.c.datetime).label("month")
    return (
        sa.select(
            month,
            c.c.identified,
            sa.func.count().label("cheques"),
            queries.as_double(sa.func.sum(c.c.amount)).label("revenue"),
        )
        .group_by(month, c.c.identified)
        .order_by(month, c.c.identified)
    )


def shops_query(period: Period, options: AnalysisOptions, unique_doc_ids: bool = False) -> sa.Select:
    """Per pharmacy × identification: cheques, revenue, average and median (percentile_disc 0.5) cheque."""
    c = cheques_subquery(period, options, unique_doc_ids)
    return (
        sa.select(
            c.c.shop,
            c.c.identified,
            sa.func.count().label("cheques"),
            queries.as_double(sa.func.sum(c.c.amount)).label("revenue"),
            queries.as_double(sa.func.avg(c.c.amount)).label("avg_cheque"),
            queries.as_double(sa.func.percentile_disc(0.5).within_group(c.c.amount)).label("median_cheque"),
        )
        .group_by(c.c.shop, c.c.identified)
        .order_by(c.c.shop, c.c.identified)
    )


def shop_monthly_query(period: Period, options: AnalysisOptions, unique_doc_ids: bool = False) -> sa.Select:
    """Revenue and cheques per pharmacy and month."""
    c = cheques_subquery(period, options, unique_doc_ids)
    month = _month(c.c.datetime).label("month")
    return (
        sa.select(
            c.c.shop,
            month,
            queries.as_double(sa.func.sum(c.c.amount)).label("revenue"),
            sa.func.count().label("cheques"),
        )
        .group_by(c.c.shop, month)
        .order_by(c.c.shop, month)
    )


def new_clients_query(period: Period, options: AnalysisOptions) -> sa.Select:
    """New identified clients per month: clients whose first cheque ever (all data) falls in the period."""
    t = bonuscheques
    firsts = (
        sa.select(t.c.card, sa.func.min(t.c.datetime).label("datetime"))
        .where(queries.identified(options))
        .group_by(t.c.card)
        .subquery("firsts")
    )
    month = _month(firsts.c.datetime).label("month")
    return (
        sa.select(month, sa.func.count().label("clients"))
        .where(*queries.period_conditions(period, firsts))
        .group_by(month)
        .order_by(month)
    )


@reads_cheques
def load_overview(
    conn: sa.Connection, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> Overview:
    """Run the overview queries for a period."""
    summary = conn.execute(queries.period_summary_query(period)).one()
    bounds = _bounds(summary)
    whole_table = period.date_from is None and period.date_to is None  # its row count is known: no COUNT(*) again
    unique = bool(recorded_doc_ids_unique(conn, rows=int(summary.cheques or 0) if whole_table else None))
    monthly, shops, shop_monthly, new_clients = fetch_frames(  # side by side on a server's connections
        conn,
        [
            monthly_query(period, options, unique),
            shops_query(period, options, unique),
            shop_monthly_query(period, options, unique),
            new_clients_query(period, options),
        ],
    )
    monthly = _normalise(monthly, {"identified": "bool", "cheques": "int64", "revenue": "float64"})
    shops = _normalise(
        shops,
        {
            "shop": "str",
            "identified": "bool",
            "cheques": "int64",
            "revenue": "float64",
            "avg_cheque": "float64",
            "median_cheque": "float64",
        },
    )
    shop_monthly = _normalise(shop_monthly, {"shop": "str", "revenue": "float64", "cheques": "int64"})
    new_clients = _normalise(new_clients, {"clients": "int64"})
    cheques = int(monthly["cheques"].sum())
    unidentified = monthly[~monthly["identified"]]
    return Overview(
        period=period,
        first_date=bounds[0],
        last_date=bounds[1],
        cheques=cheques,
        unidentified_cheques=int(unidentified["cheques"].sum()),
        revenue=float(monthly["revenue"].sum()),
        unidentified_revenue=float(unidentified["revenue"].sum()),
        monthly=monthly,
        new_clients=new_clients,
        shops=shops,
        shop_monthly=shop_monthly,
    )


def _bounds(row: sa.Row) -> tuple[dt.date | None, dt.date | None]:
    if row.analysis_day is None:
        return None, None
    return queries.day_number_to_date(row.first_day), queries.day_number_to_date(row.analysis_day)


def _normalise(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    has_month = "month" in frame.columns
    if frame.empty:
        columns = {name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()}
        if has_month:
            columns = {"month": pd.Series(dtype="datetime64[s]")} | columns
        return pd.DataFrame(columns)
    frame = frame.astype(dtypes)
    if has_month:
        frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[s]")
    return frame.reset_index(drop=True)
