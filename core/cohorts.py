"""Cohorts, LTV by cohort age, Pareto and client-base dynamics (SPEC part 2, §7), aggregated in SQL.

Every query is SQLAlchemy Core and runs on DuckDB and PostgreSQL; pandas only completes the small results (the
cohort × month grid, cumulative sums, the zero-filled months). Days are day numbers (days since 1970-01-01) and
months are month indexes `year * 12 + month - 1`, as §7 writes them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core import queries
from core.db import bonuscheques, reads_cheques, recorded_doc_ids_unique
from core.fetch import fetch_frame, fetch_frames, with_postgresql_settings
from core.model import AnalysisOptions, Period

CHAIN = "Вся сеть"
AGE_GROUPS = ((0, 2, "0–2"), (3, 5, "3–5"), (6, 11, "6–11"), (12, 23, "12–23"), (24, None, "24+"))
CELL_COLUMNS = [
    "cohort",
    "months_since",
    "cohort_clients",
    "active_clients",
    "retention",
    "purchases",
    "revenue",
    "avg_cheque",
    "ltv",
    "partial",
]
DYNAMICS_COLUMNS = [
    "month",
    "shop",
    "active_clients",
    "new_clients",
    "one_time_clients",
    "repeat_clients",
    "lapsed_clients",
]
PARETO_BUCKETS = 100  # points of the Pareto curve (one per percent of clients)


def month_index(day: dt.date) -> int:
    """`year * 12 + month - 1` of a date."""
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    """A month index written `YYYY-MM`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(index: int) -> dt.date:
    """The first day of a month index."""
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> dt.date:
    """The last day of a month index."""
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day(value: dt.date) -> int:
    return (value - queries.EPOCH).days


def _month_of(day_column) -> sa.ColumnElement:
    """The month index of a date column (EXTRACT gives numeric on PostgreSQL: cast to integer on both)."""
    return (
        sa.cast(sa.extract("year", day_column), sa.Integer) * 12
        + sa.cast(sa.extract("month", day_column), sa.Integer)
        - sa.literal(1)
    )


class in_list(FunctionElement):
    """`value` is one of a list bound as ONE array parameter (a segment's cards: no card in the SQL text, and one
    parameter however large the segment — an IN list would bind one parameter per card)."""

    type = sa.Boolean()
    inherit_cache = True
    name = "in_list"


@compiles(in_list)
def _compile_in_list_default(element, compiler, **kw):
    value, values = list(element.clauses)
    return f"({compiler.process(value, **kw)} = ANY({compiler.process(values, **kw)}))"


@compiles(in_list, "duckdb")
def _compile_in_list_duckdb(element, compiler, **kw):
    # DuckDB binds a Python list as a LIST; `= ANY(list)` is not its syntax
    value, values = list(element.clauses)
    return f"list_contains({compiler.process(values, **kw)}, {compiler.process(value, **kw)})"


def card_in(column, cards: Sequence[str]) -> sa.ColumnElement:
    """Condition: the card is one of `cards` (one array parameter)."""
    return in_list(column, sa.bindparam("cards", [str(card) for card in cards], type_=sa.ARRAY(sa.Text)))


def _history_conditions(analysis_date: dt.date, options: AnalysisOptions) -> list[sa.ColumnElement]:
    """The history of §7: identified rows dated `<= T`."""
    end = dt.datetime.combine(analysis_date + dt.timedelta(days=1), dt.time())
    return [queries.identified(options), bonuscheques.c.datetime < end]


def purchases_subquery(analysis_date: dt.date, options: AnalysisOptions, cards: Sequence[str] | None = None):
    """One row per purchase of the history (card, doc_id): its earliest row's day, day number and month, amount."""
    t = bonuscheques
    conditions = _history_conditions(analysis_date, options)
    if cards is not None:
        conditions.append(card_in(t.c.card, cards))
    first = sa.func.min(t.c.datetime)
    return (
        sa.select(
            t.c.card.label("card"),
            queries.day_number(first).label("day"),
            _month_of(queries.day_of(first)).label("month"),
            sa.func.coalesce(sa.func.sum(queries.amount(options)), 0).label("amount"),
        )
        .where(*conditions)
        .group_by(t.c.card, t.c.doc_id)
        .subquery("purchases")
    )


def cohort_months_subquery(
    analysis_date: dt.date, options: AnalysisOptions, cards: Sequence[str] | None = None, unique: bool = False
):
    """Per identified client × month with a purchase in the history: purchases and amount (a purchase dated by its
    earliest row). With `unique` doc_ids (every row its own cheque, recorded) the rows are grouped directly and the
    card pattern is tested once per client-month instead of once per row."""
    if not unique:
        p = purchases_subquery(analysis_date, options, cards)
        return (
            sa.select(p.c.card, p.c.month, sa.func.count().label("purchases"), sa.func.sum(p.c.amount).label("revenue"))
            .group_by(p.c.card, p.c.month)
            .subquery("client_months")
        )
    t = bonuscheques
    end = dt.datetime.combine(analysis_date + dt.timedelta(days=1), dt.time())
    conditions = [t.c.card.is_not(None), t.c.datetime < end]
    if cards is not None:
        conditions.append(card_in(t.c.card, cards))
    month = _month_of(queries.day_of(t.c.datetime))
    rows = (
        sa.select(
            t.c.card,
            month.label("month"),
            sa.func.count().label("purchases"),
            sa.func.coalesce(sa.func.sum(queries.amount(options)), 0).label("revenue"),
        )
        .where(*conditions)
        .group_by(t.c.card, month)
        .subquery("card_months")
    )
    return sa.select(rows).where(queries.identified(options, rows)).subquery("client_months")


def cohort_query(
    analysis_date: dt.date,
    start: dt.date,
    options: AnalysisOptions,
    cards: Sequence[str] | None = None,
    unique: bool = False,
    window: bool = False,
) -> sa.Select:
    """Per cohort × month since: active clients, purchases and amount. Each client buys in its cohort's month, so
    the cells at months_since = 0 give the cohort sizes (one statement, one pass over the cheques).

    The cohort is each client's first month: joined from a GROUP BY card over the client-months (a CTE computed
    once; DuckDB's fastest), or with `window` a MIN() OVER the card, which a server computes without another sort
    when the client-months come in card order off its (card, datetime) index."""
    m = cohort_months_subquery(analysis_date, options, cards, unique)
    if window:
        firsts = sa.select(
            m.c.month,
            m.c.purchases,
            m.c.revenue,
            sa.func.min(m.c.month).over(partition_by=m.c.card).label("cohort"),
        ).subquery("firsts")
        months, source = firsts, firsts
    else:
        months = m.element.cte("client_months")  # referenced twice: computed once
        firsts = (
            sa.select(months.c.card, sa.func.min(months.c.month).label("cohort"))
            .group_by(months.c.card)
            .subquery("firsts")
        )
        source = months.join(firsts, months.c.card == firsts.c.card)
    shown = sa.and_(firsts.c.cohort >= month_index(start), firsts.c.cohort <= month_index(analysis_date))
    since = (months.c.month - firsts.c.cohort).label("months_since")
    return (
        sa.select(
            firsts.c.cohort,
            since,
            sa.func.count().label("active_clients"),
            sa.cast(sa.func.sum(months.c.purchases), sa.BigInteger).label("purchases"),
            queries.as_double(sa.func.sum(months.c.revenue)).label("revenue"),
        )
        .select_from(source)
        .where(shown)
        .group_by(firsts.c.cohort, since)
        .order_by(firsts.c.cohort, since)
    )


def cohort_sizes(cells: pd.DataFrame) -> pd.DataFrame:
    """Clients per cohort: its active clients in its own month (months_since = 0)."""
    first = cells[cells["months_since"].astype("int64") == 0]
    return pd.DataFrame(
        {
            "cohort": first["cohort"].to_numpy(dtype="int64"),
            "cohort_clients": first["active_clients"].to_numpy(dtype="int64"),
        }
    )


@dataclass(frozen=True, eq=False)
class Cohorts:
    """The cohort table of a period: one row per cell (CELL_COLUMNS, `cohort` as a month index)."""

    analysis_date: dt.date | None
    start: dt.date | None
    cells: pd.DataFrame = field(repr=False)

    @property
    def is_empty(self) -> bool:
        """True when no cohort is shown."""
        return self.cells.empty

    def table(self) -> pd.DataFrame:
        """The cells with `cohort` written `YYYY-MM` (the CSV of `rfma cohorts`)."""
        table = self.cells.copy()
        table["cohort"] = [month_label(int(c)) for c in table["cohort"]]
        return table[CELL_COLUMNS]

    def ltv_by_age(self) -> pd.DataFrame:
        """LTV curves by cohort age: group, months_since, ltv (client-weighted mean), cohorts, clients."""
        return ltv_by_age(self.cells, self.analysis_date)


def _empty_cells() -> pd.DataFrame:
    dtypes = ["int64", "int64", "int64", "int64", "float64", "int64", "float64", "float64", "float64", "bool"]
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in zip(CELL_COLUMNS, dtypes, strict=True)})


def complete_cells(sizes: pd.DataFrame, cells: pd.DataFrame, analysis_date: dt.date) -> pd.DataFrame:
    """Every cell k = 0 … month(T) − c of each cohort (cells without activity included) with the metrics of §7."""
    last = month_index(analysis_date)
    if sizes.empty:
        return _empty_cells()
    cohorts = sizes["cohort"].to_numpy(dtype="int64")
    counts = sizes["cohort_clients"].to_numpy(dtype="int64")
    spans = last - cohorts + 1
    grid = pd.DataFrame(
        {
            "cohort": np.repeat(cohorts, spans),
            "months_since": np.concatenate([np.arange(span) for span in spans]).astype("int64"),
            "cohort_clients": np.repeat(counts, spans),
        }
    )
    found = cells.astype({"cohort": "int64", "months_since": "int64"})
    grid = grid.merge(found, on=["cohort", "months_since"], how="left")
    grid["active_clients"] = grid["active_clients"].fillna(0).astype("int64")
    grid["purchases"] = grid["purchases"].fillna(0).astype("int64")
    grid["revenue"] = grid["revenue"].fillna(0.0).astype("float64")
    grid["retention"] = grid["active_clients"] / grid["cohort_clients"]
    grid["avg_cheque"] = (grid["revenue"] / grid["purchases"]).where(grid["purchases"] > 0)
    grid["ltv"] = grid.groupby("cohort")["revenue"].cumsum() / grid["cohort_clients"]
    partial = analysis_date != month_end(last)
    grid["partial"] = partial & (grid["cohort"] + grid["months_since"] == last)
    return grid[CELL_COLUMNS].reset_index(drop=True)


def ltv_by_age(cells: pd.DataFrame, analysis_date: dt.date | None) -> pd.DataFrame:
    """§7's curves: per age group (0–2, 3–5, 6–11, 12–23, 24+ months at T) the client-weighted mean ltv(c, k) for
    each k every cohort of the group has reached."""
    columns = {"group": "str", "months_since": "int64", "ltv": "float64", "cohorts": "int64", "clients": "int64"}
    if analysis_date is None or cells.empty:
        return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in columns.items()})
    frame = cells.assign(age=month_index(analysis_date) - cells["cohort"])
    parts = []
    for low, high, label in AGE_GROUPS:
        group = frame[(frame["age"] >= low) & ((frame["age"] <= high) if high is not None else True)]
        if group.empty:
            continue
        reached = int(group["age"].min())  # the youngest cohort's last k
        group = group[group["months_since"] <= reached]
        weighted = (group["ltv"] * group["cohort_clients"]).groupby(group["months_since"]).sum()
        clients = group.groupby("months_since")["cohort_clients"].sum()
        cohorts = group.groupby("months_since")["cohort"].nunique()
        parts.append(
            pd.DataFrame(
                {
                    "group": label,
                    "months_since": clients.index.to_numpy(dtype="int64"),
                    "ltv": (weighted / clients).to_numpy(dtype="float64"),
                    "cohorts": cohorts.to_numpy(dtype="int64"),
                    "clients": clients.to_numpy(dtype="int64"),
                }
            )
        )
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in columns.items()})
    return pd.concat(parts, ignore_index=True).astype(columns)


@reads_cheques
def load_cohorts(
    conn: sa.Connection,
    period: Period = Period(),
    options: AnalysisOptions = AnalysisOptions(),
    cards: Sequence[str] | None = None,
) -> Cohorts:
    """The period's cohort table (§7); `cards` restricts it to a segment's clients (None: every client)."""
    bounds = _bounds(conn, period)
    if bounds is None:
        return Cohorts(None, None, _empty_cells())
    start, analysis_date = bounds
    if cards is not None and len(cards) == 0:
        return Cohorts(analysis_date, start, _empty_cells())
    unique = bool(recorded_doc_ids_unique(conn))
    server = conn.dialect.name != "duckdb"
    query = cohort_query(analysis_date, start, options, cards, unique, window=server)
    if server:
        # PostgreSQL: the client-months grouped in card order as the covering index gives the rows (an incremental
        # sort by month within each card, no sort of every row by card), the window needs no sort then, and the
        # cells (a few hundred) are hashed instead of sorting every client-month; no JIT. 16 → 8.5 s at 10M cheques.
        query = with_postgresql_settings(query, enable_seqscan="off", enable_sort="off", jit="off")
    cells = fetch_frame(conn, query)
    return Cohorts(analysis_date, start, complete_cells(cohort_sizes(cells), cells, analysis_date))


def _bounds(conn: sa.Connection, period: Period) -> tuple[dt.date, dt.date] | None:
    """(S, T): the period's start (its first cheque when open) and its analysis date; None without cheques."""
    row = conn.execute(queries.period_summary_query(period)).one()
    if row.analysis_day is None:
        return None
    first = queries.day_number_to_date(row.first_day)
    return period.date_from or first, queries.day_number_to_date(row.analysis_day)


# --- Pareto ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pareto:
    """The period's clients sorted by revenue (§7): the two headline shares and the curve."""

    clients: int
    revenue: float
    top20_revenue_share: float | None
    clients_share_for_80_revenue: float | None
    curve: pd.DataFrame = field(repr=False, compare=False)  # client_share, revenue_share (from 0, 0)

    def as_json(self) -> dict:
        """The four figures of `rfma pareto`."""
        return {
            "clients": self.clients,
            "revenue": round(self.revenue, 2),
            "top20_revenue_share": self.top20_revenue_share,
            "clients_share_for_80_revenue": self.clients_share_for_80_revenue,
        }


def _ranked_clients(period: Period, options: AnalysisOptions):
    """The period's clients with revenue, rank (revenue descending, card on ties), running revenue, N and total."""
    t = bonuscheques
    clients = (
        sa.select(t.c.card, sa.func.coalesce(sa.func.sum(queries.amount(options)), 0).label("revenue"))
        .where(*queries.period_conditions(period), queries.identified(options))
        .group_by(t.c.card)
        .subquery("clients")
    )
    order = [clients.c.revenue.desc(), clients.c.card]
    return sa.select(
        clients.c.revenue,
        sa.func.row_number().over(order_by=order).label("rank"),
        sa.func.sum(clients.c.revenue).over(order_by=order, rows=(None, 0)).label("running"),
        sa.func.count().over().label("n"),
        sa.func.sum(clients.c.revenue).over().label("total"),
    ).subquery("ranked")


def pareto_queries(period: Period, options: AnalysisOptions) -> tuple[sa.Select, sa.Select]:
    """(figures, curve): N, total, the top ceil(N/5) clients' revenue and the smallest k reaching 80% (exact
    integer and decimal comparisons, no float 0.2 or 0.8); the revenue per percent bucket of clients."""
    r = _ranked_clients(period, options)
    top = sa.case((r.c.rank * 5 <= r.c.n + 4, r.c.revenue), else_=0)  # rank <= ceil(N / 5)
    figures = sa.select(
        sa.func.max(r.c.n).label("clients"),
        queries.as_double(sa.func.max(r.c.total)).label("revenue"),
        queries.as_double(sa.func.sum(top)).label("top20_revenue"),
        sa.func.min(sa.case((r.c.running * 5 >= r.c.total * 4, r.c.rank))).label("clients_for_80"),
    )
    bucket = ((r.c.rank * PARETO_BUCKETS + r.c.n - 1 - (r.c.rank * PARETO_BUCKETS + r.c.n - 1) % r.c.n) / r.c.n).label(
        "bucket"
    )  # ceil(rank * 100 / N) in integer arithmetic on both backends
    curve = (
        sa.select(
            sa.cast(bucket, sa.Integer).label("bucket"),
            sa.func.max(r.c.rank).label("rank"),
            queries.as_double(sa.func.sum(r.c.revenue)).label("revenue"),
        )
        .group_by(sa.cast(bucket, sa.Integer))
        .order_by(sa.cast(bucket, sa.Integer))
    )
    return figures, curve


@reads_cheques
def load_pareto(conn: sa.Connection, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()) -> Pareto:
    """The period's Pareto figures and curve (§7)."""
    figures, curve = fetch_frames(conn, list(pareto_queries(period, options)))
    empty_curve = pd.DataFrame({"client_share": [0.0], "revenue_share": [0.0]})
    if figures.empty or pd.isna(figures["clients"].iloc[0]) or int(figures["clients"].iloc[0]) == 0:
        return Pareto(0, 0.0, None, None, empty_curve)
    row = figures.iloc[0]
    n = int(row["clients"])
    total = float(row["revenue"])
    top20 = float(row["top20_revenue"]) / total if total > 0 else None
    for_80 = int(row["clients_for_80"]) / n if total > 0 and not pd.isna(row["clients_for_80"]) else None
    curve = curve.sort_values("rank")
    running = curve["revenue"].to_numpy(dtype="float64").cumsum()
    points = pd.DataFrame(
        {
            "client_share": np.concatenate([[0.0], curve["rank"].to_numpy(dtype="float64") / n]),
            "revenue_share": np.concatenate([[0.0], running / total if total > 0 else np.zeros(len(running))]),
        }
    )
    return Pareto(n, total, top20, for_80, points)


# --- client-base dynamics -------------------------------------------------------------------------------------------


def client_months_subquery(analysis_date: dt.date, options: AnalysisOptions, unique: bool = False):
    """Per scope (the chain, each shop) × client × month with a purchase: purchases, the month's last purchase day,
    whether it is the client's first month in the scope, the purchases so far (counted up to 2: one-time or repeat is
    all §7 needs) and the next month with a purchase.

    A purchase is in shop s when its doc_id has a row at s; it is dated by its earliest row (over every shop). With
    `unique` doc_ids (every row its own cheque, recorded) the rows are the purchases: no GROUP BY doc_id.
    """
    t = bonuscheques
    if unique:
        dated = (
            sa.select(t.c.card, t.c.doc_id, t.c.shop, t.c.datetime)
            .where(*_history_conditions(analysis_date, options))
            .subquery("dated")
        )
    else:
        rows = (
            sa.select(t.c.card, t.c.doc_id, t.c.shop, sa.func.min(t.c.datetime).label("datetime"))
            .where(*_history_conditions(analysis_date, options))
            .group_by(t.c.card, t.c.doc_id, t.c.shop)
            .subquery("doc_shops")
        )
        dated = sa.select(
            rows.c.card,
            rows.c.doc_id,
            rows.c.shop,
            sa.func.min(rows.c.datetime).over(partition_by=[rows.c.card, rows.c.doc_id]).label("datetime"),
        ).subquery("dated")
    day = queries.day_number(dated.c.datetime)
    month = _month_of(queries.day_of(dated.c.datetime)).label("month")
    chain = sa.func.grouping(dated.c.shop).label("chain")  # 1: the chain's row, 0: a shop's
    grouped = (
        sa.select(
            chain,
            dated.c.shop,
            dated.c.card,
            month,
            (sa.func.count() if unique else sa.func.count(sa.distinct(dated.c.doc_id))).label("purchases"),
            sa.func.max(day).label("last_day"),
        )
        .group_by(sa.func.grouping_sets(sa.tuple_(dated.c.card, month), sa.tuple_(dated.c.shop, dated.c.card, month)))
        .subquery("client_months")
    )
    g = grouped
    scope = [g.c.chain, g.c.shop, g.c.card]
    first = sa.func.lag(g.c.month).over(partition_by=scope, order_by=g.c.month).is_(None)
    return sa.select(
        g.c.chain,
        g.c.shop,
        g.c.card,
        g.c.month,
        g.c.last_day,
        # a row without a previous month is the scope's first; after it the client has at least two purchases.
        # lag and lead share one sort; a running MIN and SUM over the frame cost a third more (bench/bench_cohorts.py)
        sa.case((first, 1), else_=0).label("is_first"),
        sa.case((first, g.c.purchases), else_=2).label("so_far"),
        sa.func.lead(g.c.month).over(partition_by=scope, order_by=g.c.month).label("next_month"),
    ).subquery("scoped")


EVENT_COLUMNS = ["chain", "shop", "month", "active", "new", "one_time", "repeat", "lapsed"]


def dynamics_spans_query(
    analysis_date: dt.date, churn_days: int, options: AnalysisOptions, unique: bool = False
) -> sa.Select:
    """The client-month rows' spans (§7) grouped by kind, with their clients: `events_from_spans` turns them into the
    changes of the active, new, one-time and repeat counts and the lapsed clients, instead of joining each row with
    every month it covers.

    A client-month row (month a, latest purchase L, next month with a purchase N) keeps the client active at the end
    of every month m in [a, b] — b the last month whose end (T for T's month) is within r3 of L, and before N — new
    in a when a is the first month, else one-time or repeat by the purchases so far; the client lapses in the month
    after the last month ending within r3 of L when that month is before N and L + r3 < T.
    """
    s = client_months_subquery(analysis_date, options, unique)
    last = month_index(analysis_date)
    t_day = _day(analysis_date)
    r3 = sa.literal(int(churn_days), sa.Integer)
    reach = s.c.last_day + r3  # D: the last day the client is still active
    within = (
        _month_of(sa.literal(queries.EPOCH, sa.Date) + sa.cast(reach + 1, sa.Integer)) - 1
    )  # last month ending by D
    end = sa.case((reach >= t_day, last), else_=within)
    capped = sa.func.least(end, sa.func.coalesce(s.c.next_month - 1, last))
    is_new = s.c.is_first
    one = sa.case((s.c.so_far == 1, 1), else_=0)
    repeat = sa.case((s.c.so_far >= 2, 1), else_=0)
    lapse = sa.case(
        (
            sa.and_(reach < t_day, within >= s.c.month, sa.or_(s.c.next_month.is_(None), within + 1 < s.c.next_month)),
            within + 1,
        ),
    )
    # the spans fall into few kinds (scope × start × end × flags × lapse): one GROUP BY, the events in pandas
    kinds = [
        s.c.chain,
        s.c.shop,
        s.c.month.label("start"),
        capped.label("end"),
        is_new.label("is_new"),
        one.label("one"),
        repeat.label("repeat"),
        lapse.label("lapse"),
    ]
    spans = sa.select(*kinds).subquery("spans")
    c = spans.c
    keys = [c.chain, c.shop, c.start, c.end, c.is_new, c.one, c.repeat, c.lapse]
    return sa.select(*keys, sa.func.count().label("clients")).group_by(*keys)


def events_from_spans(spans: pd.DataFrame) -> pd.DataFrame:
    """The changes of the counts (EVENT_COLUMNS) from `dynamics_spans_query`'s rows: a span adds its clients to the
    active (and new, or one-time / repeat) counts in its start month, moves the new ones to one-time / repeat the month
    after, removes them after its end month; a lapse counts in its month."""
    if spans.empty:
        return pd.DataFrame({name: [] for name in EVENT_COLUMNS})
    frame = spans.astype({name: "int64" for name in ("start", "end", "is_new", "one", "repeat", "clients")})
    n, new, one, repeat = (frame[name].to_numpy() for name in ("clients", "is_new", "one", "repeat"))
    old = 1 - new
    active = (frame["end"] >= frame["start"]).to_numpy()
    zero = np.zeros(len(frame), dtype="int64")

    def events(mask, month, values) -> pd.DataFrame:
        data = {"chain": frame["chain"].to_numpy()[mask], "shop": frame["shop"].to_numpy()[mask], "month": month[mask]}
        data.update({name: value[mask] for name, value in zip(EVENT_COLUMNS[3:], values, strict=True)})
        return pd.DataFrame(data)

    start, end = frame["start"].to_numpy(), frame["end"].to_numpy()
    lapse = frame["lapse"]
    return pd.concat(
        [
            events(active, start, [n, new * n, one * old * n, repeat * old * n, zero]),
            events(active & (new == 1), start + 1, [zero, -n, one * n, repeat * n, zero]),
            events(active, end + 1, [-n, zero, -one * n, -repeat * n, zero]),
            events(lapse.notna().to_numpy(), lapse.fillna(0).to_numpy().astype("int64"), [zero, zero, zero, zero, n]),
        ],
        ignore_index=True,
    )


def counts_from_events(events: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Per scope × month of [first, last]: the counts (running sums of the changes from the earliest month on) and
    the lapsed clients, as `chain, shop, month` + DYNAMICS_COLUMNS[2:]."""
    columns = ["chain", "shop", "month", *DYNAMICS_COLUMNS[2:]]
    if events.empty:
        return pd.DataFrame({name: [] for name in columns})
    frame = events.assign(
        chain=events["chain"].astype("int64"),
        month=events["month"].astype("int64"),
        shop=events["shop"].astype(object).where(events["shop"].notna(), "\x00"),
    )
    values = EVENT_COLUMNS[3:]
    frame = frame.groupby(["chain", "shop", "month"], sort=False)[values].sum()
    begin = min(int(frame.index.get_level_values("month").min()), first)
    index = frame.index
    scopes = list(dict.fromkeys(zip(index.get_level_values("chain"), index.get_level_values("shop"), strict=True)))
    grid = pd.MultiIndex.from_tuples(
        [(chain, shop, month) for chain, shop in scopes for month in range(begin, last + 1)],
        names=["chain", "shop", "month"],
    )
    frame = frame.reindex(grid, fill_value=0).astype("int64")
    running = frame[values[:4]].groupby(level=["chain", "shop"], sort=False).cumsum()
    table = pd.concat([running, frame[["lapsed"]]], axis=1).reset_index()
    table = table[table["month"] >= first]
    table.columns = ["chain", "shop", "month", *DYNAMICS_COLUMNS[2:]]
    return table.assign(shop=table["shop"].where(table["shop"] != "\x00", None))


@dataclass(frozen=True, eq=False)
class Dynamics:
    """Client-base dynamics (§7): one row per scope × month (DYNAMICS_COLUMNS, `month` as a month index)."""

    analysis_date: dt.date | None
    churn_days: int
    rows: pd.DataFrame = field(repr=False)

    def table(self) -> pd.DataFrame:
        """The rows with `month` written `YYYY-MM` (the CSV of `rfma dynamics`)."""
        table = self.rows.copy()
        table["month"] = [month_label(int(m)) for m in table["month"]]
        return table[DYNAMICS_COLUMNS]


@reads_cheques
def load_dynamics(
    conn: sa.Connection, churn_days: int, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> Dynamics:
    """Client-base dynamics of the chain and of each shop for every month of the period; `churn_days` is r3."""
    from core.overview import shop_sort_key

    bounds = _bounds(conn, period)
    if bounds is None:
        return Dynamics(None, churn_days, pd.DataFrame({name: [] for name in DYNAMICS_COLUMNS}))
    start, analysis_date = bounds
    unique = bool(recorded_doc_ids_unique(conn))
    spans = fetch_frame(conn, dynamics_spans_query(analysis_date, churn_days, options, unique))
    # every identified purchase at a shop has its shop-level client-month: the shops are those of the spans
    shop_spans = spans[(spans["chain"].astype("int64") == 0) & spans["shop"].notna()] if not spans.empty else spans
    shops = pd.DataFrame({"shop": pd.unique(shop_spans["shop"].astype(str)) if not spans.empty else []})
    counts = counts_from_events(events_from_spans(spans), month_index(start), month_index(analysis_date))
    counts = counts[(counts["chain"] == 1) | counts["shop"].notna()]  # a row without a shop counts in the chain only
    counts = counts.assign(shop=np.where(counts["chain"] == 1, CHAIN, counts["shop"].astype(object)))
    names = [CHAIN, *sorted(shops["shop"].astype(str), key=shop_sort_key)]
    months = range(month_index(start), month_index(analysis_date) + 1)
    grid = pd.MultiIndex.from_product([names, list(months)], names=["shop", "month"])
    values = DYNAMICS_COLUMNS[2:]
    table = (
        counts.astype({"month": "int64"})
        .set_index(["shop", "month"])[values]
        .reindex(grid, fill_value=0)
        .astype("int64")
        .reset_index()
    )
    order = {name: i for i, name in enumerate(names)}
    table = table.sort_values(["month", "shop"], key=lambda c: c.map(order) if c.name == "shop" else c)
    return Dynamics(analysis_date, churn_days, table[DYNAMICS_COLUMNS].reset_index(drop=True))


# --- the clients behind a heatmap cell, a Pareto band, a dynamics bar ---------------------------------------------

# Pareto bands: (low, high] percent of the period's clients sorted by revenue; band j holds ranks
# ceil(low·N/100) < rank <= ceil(high·N/100), so the first band is exactly the top 20% of `top20_revenue_share`.
PARETO_BANDS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


def _card_list(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["card"].astype(str)) if not frame.empty else []


def cohort_cards_query(
    analysis_date: dt.date,
    cohort: int,
    months_since: int | None,
    options: AnalysisOptions,
    cards: Sequence[str] | None = None,
) -> sa.Select:
    """The cards of cohort `cohort` (a month index) with a purchase in month `cohort + months_since` (None: the
    whole cohort), among `cards` when given."""
    p = purchases_subquery(analysis_date, options, cards)
    firsts = (
        sa.select(p.c.card).group_by(p.c.card).having(sa.func.min(p.c.month) == sa.literal(int(cohort), sa.Integer))
    ).subquery("firsts")
    if months_since is None:
        return sa.select(firsts.c.card)
    month = sa.literal(int(cohort) + int(months_since), sa.Integer)
    return (
        sa.select(p.c.card)
        .select_from(p.join(firsts, p.c.card == firsts.c.card))
        .where(p.c.month == month)
        .group_by(p.c.card)
    )


@reads_cheques
def load_cohort_cards(
    conn: sa.Connection,
    cohort: int,
    months_since: int | None = None,
    period: Period = Period(),
    options: AnalysisOptions = AnalysisOptions(),
    cards: Sequence[str] | None = None,
) -> list[str]:
    """The clients of one heatmap cell (cohort c, month c + k), or of the whole cohort when `months_since` is None;
    only shown cells have clients (a cohort outside [month(S), month(T)] or k beyond month(T) gives none)."""
    bounds = _bounds(conn, period)
    if bounds is None or (cards is not None and len(cards) == 0):
        return []
    start, analysis_date = bounds
    last = month_index(analysis_date)
    beyond = months_since is not None and not 0 <= months_since <= last - cohort
    if not month_index(start) <= cohort <= last or beyond:
        return []
    return _card_list(fetch_frames(conn, [cohort_cards_query(analysis_date, cohort, months_since, options, cards)])[0])


def _band_of(r) -> sa.ColumnElement:
    """The Pareto band (1 …) of a ranked client: rank <= ceil(high·N/100) in integer arithmetic."""
    whens = [(r.c.rank * 100 <= r.c.n * high + 99, j) for j, (_, high) in enumerate(PARETO_BANDS, start=1)]
    return sa.case(*whens, else_=len(PARETO_BANDS))


def pareto_bands_query(period: Period, options: AnalysisOptions) -> sa.Select:
    """Per Pareto band: its clients and their revenue."""
    r = _ranked_clients(period, options)
    band = _band_of(r).label("band")
    return (
        sa.select(band, sa.func.count().label("clients"), queries.as_double(sa.func.sum(r.c.revenue)).label("revenue"))
        .group_by(band)
        .order_by(band)
    )


def pareto_band_cards_query(period: Period, options: AnalysisOptions, band: int) -> sa.Select:
    """The cards of one Pareto band (1 = the top 20% of clients by revenue)."""
    t = bonuscheques
    clients = (
        sa.select(t.c.card, sa.func.coalesce(sa.func.sum(queries.amount(options)), 0).label("revenue"))
        .where(*queries.period_conditions(period), queries.identified(options))
        .group_by(t.c.card)
        .subquery("clients")
    )
    order = [clients.c.revenue.desc(), clients.c.card]
    ranked = sa.select(
        clients.c.card,
        sa.func.row_number().over(order_by=order).label("rank"),
        sa.func.count().over().label("n"),
    ).subquery("ranked")
    return sa.select(ranked.c.card).where(_band_of(ranked) == sa.literal(int(band), sa.Integer))


@reads_cheques
def load_pareto_bands(
    conn: sa.Connection, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> pd.DataFrame:
    """Every Pareto band: band (1 …), low, high (percent of clients), clients, revenue, revenue_share."""
    found = fetch_frames(conn, [pareto_bands_query(period, options)])[0]
    bands = [int(b) for b in found["band"]]
    clients = dict(zip(bands, (int(c) for c in found["clients"]), strict=True))
    revenue = dict(zip(bands, (float(r) for r in found["revenue"]), strict=True))
    rows = [
        {"band": j, "low": low, "high": high, "clients": clients.get(j, 0), "revenue": revenue.get(j, 0.0)}
        for j, (low, high) in enumerate(PARETO_BANDS, start=1)
    ]
    table = pd.DataFrame(rows)
    total = float(table["revenue"].sum())
    table["revenue_share"] = table["revenue"] / total if total > 0 else np.nan
    return table


@reads_cheques
def load_pareto_band_cards(
    conn: sa.Connection, band: int, period: Period = Period(), options: AnalysisOptions = AnalysisOptions()
) -> list[str]:
    """The clients of one Pareto band (PARETO_BANDS, numbered from 1)."""
    if not 1 <= band <= len(PARETO_BANDS):
        return []
    return _card_list(fetch_frames(conn, [pareto_band_cards_query(period, options, band)])[0])


DYNAMICS_CATEGORIES = ("active", "new", "one_time", "repeat", "lapsed")


def _dynamics_parts(
    analysis_date: dt.date, start: dt.date, churn_days: int, options: AnalysisOptions, only: int | None = None
):
    """(client-month rows, months, the join's condition, category → condition) of §7's dynamics, by joining the
    rows with the months (the per-client form of `dynamics_spans_query`, used for the clients of one bar).

    Between two of a client's months with purchases its latest purchase L and count stay the same, so each
    client-month row covers the months up to the next one; it is joined with the months where the client was
    still active on the previous month's last day p (`p − L <= r3`): there it is active at e(m) or has lapsed.
    `only` keeps one month (the cards of one bar).
    """
    first, last = month_index(start), month_index(analysis_date)
    chosen = range(first, last + 1) if only is None else [only]
    months = (
        sa.values(
            sa.column("month", sa.Integer),
            sa.column("end_day", sa.Integer),
            sa.column("previous_day", sa.Integer),
            name="months",
        )
        .data([(m, _day(min(month_end(m), analysis_date)), _day(month_start(m)) - 1) for m in chosen])
        .alias("months")
    )
    s = client_months_subquery(analysis_date, options)
    r3 = sa.literal(int(churn_days), sa.Integer)
    covered = sa.and_(
        months.c.month >= s.c.month,
        sa.or_(s.c.next_month.is_(None), months.c.month < s.c.next_month),
        months.c.previous_day - s.c.last_day <= r3,
    )
    active = months.c.end_day - s.c.last_day <= r3
    new = sa.and_(s.c.is_first == 1, s.c.month == months.c.month)
    old = sa.and_(active, sa.not_(new))
    categories = {
        "active": active,
        "new": sa.and_(active, new),
        "one_time": sa.and_(old, s.c.so_far == 1),
        "repeat": sa.and_(old, s.c.so_far >= 2),
        "lapsed": sa.and_(sa.not_(active), months.c.month > s.c.month),
    }
    return s, months, covered, categories


def dynamics_cards_query(
    analysis_date: dt.date,
    start: dt.date,
    churn_days: int,
    options: AnalysisOptions,
    month: int,
    shop: str,
    category: str,
) -> sa.Select:
    """The cards of one dynamics bar: `category` (DYNAMICS_CATEGORIES) of scope `shop` (CHAIN or a shop) in `month`."""
    s, months, covered, categories = _dynamics_parts(analysis_date, start, churn_days, options, only=month)
    scope = s.c.chain == 1 if shop == CHAIN else sa.and_(s.c.chain == 0, s.c.shop == sa.literal(shop, sa.Text))
    return (
        sa.select(s.c.card).select_from(s.join(months, covered)).where(scope, categories[category]).group_by(s.c.card)
    )


@reads_cheques
def load_dynamics_cards(
    conn: sa.Connection,
    churn_days: int,
    month: int,
    shop: str,
    category: str,
    period: Period = Period(),
    options: AnalysisOptions = AnalysisOptions(),
) -> list[str]:
    """The clients of one dynamics bar (or the lapsed line's point): month index × scope × category."""
    if category not in DYNAMICS_CATEGORIES:
        raise ValueError(f"unknown dynamics category {category!r}")
    bounds = _bounds(conn, period)
    if bounds is None:
        return []
    start, analysis_date = bounds
    if not month_index(start) <= month <= month_index(analysis_date):
        return []
    query = dynamics_cards_query(analysis_date, start, churn_days, options, month, shop, category)
    return _card_list(fetch_frames(conn, [query])[0])
