"""SQLAlchemy Core queries that push the heavy aggregation of cheques down to the database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.db import bonuscheques, matches_pattern
from core.model import AnalysisOptions, Period

EPOCH = dt.date(1970, 1, 1)


def day_of(column) -> sa.ColumnElement:
    """The calendar date of a timestamp column (time of day dropped)."""
    return sa.cast(column, sa.Date)


def day_number(column) -> sa.ColumnElement:
    """Days since 1970-01-01 of a timestamp's calendar date, as an integer."""
    return day_of(column) - sa.literal(EPOCH, sa.Date)


def day_number_to_date(value: int) -> dt.date:
    """Inverse of day_number for one value."""
    return EPOCH + dt.timedelta(days=int(value))


def period_conditions(period: Period, table=bonuscheques) -> list[sa.ColumnElement]:
    """WHERE conditions selecting cheques whose date lies in the inclusive period (index-friendly)."""
    conditions = []
    if period.date_from:
        conditions.append(table.c.datetime >= dt.datetime.combine(period.date_from, dt.time()))
    if period.date_to:
        end = dt.datetime.combine(period.date_to + dt.timedelta(days=1), dt.time())
        conditions.append(table.c.datetime < end)
    return conditions


def identified(options: AnalysisOptions, table=bonuscheques) -> sa.ColumnElement:
    """Condition: the cheque's card matches the card pattern (an identified client)."""
    return sa.and_(table.c.card.is_not(None), matches_pattern(table.c.card, sa.literal(options.card_pattern)))


def amount(options: AnalysisOptions, table=bonuscheques) -> sa.ColumnElement:
    """The amount column in use (summ_with_disc by default)."""
    return table.c[options.amount_column]


def as_double(expr) -> sa.ColumnElement:
    """Cast a numeric expression to double precision for a float column in pandas."""
    return sa.cast(expr, sa.Double)


def gap_days(table=bonuscheques) -> sa.ColumnElement:
    """Days from the previous row of the same card (in datetime order) to this row; NULL on a card's first row."""
    day = day_of(table.c.datetime)
    return day - sa.func.lag(day).over(partition_by=table.c.card, order_by=table.c.datetime)


def period_summary_query(period: Period) -> sa.Select:
    """Cheque rows in the period and the day numbers of its first and last cheque (T), identified or not."""
    t = bonuscheques
    return sa.select(
        sa.func.count().label("cheques"),
        day_number(sa.func.max(t.c.datetime)).label("analysis_day"),
        day_number(sa.func.min(t.c.datetime)).label("first_day"),
    ).where(*period_conditions(period))


def client_aggregates_query(
    period: Period,
    options: AnalysisOptions,
    *,
    unique_doc_ids: bool = False,
    with_shops: bool = False,
    ordered: bool = False,
) -> sa.Select:
    """One row per identified card: first/last day numbers, purchases, revenue, bonuses (and shops when asked).

    `unique_doc_ids` (every row is its own cheque, see core.db.doc_ids_unique) counts purchases as rows instead of
    COUNT(DISTINCT doc_id); `ordered` asks for card order, which lets a server stream the groups off its
    (card, datetime) index instead of building a hash table of every client.
    """
    t = bonuscheques
    purchases = sa.func.count() if unique_doc_ids else sa.func.count(sa.distinct(t.c.doc_id))
    columns = [
        t.c.card.label("card"),
        day_number(sa.func.min(t.c.datetime)).label("first_day"),  # cast once per client, not per row
        day_number(sa.func.max(t.c.datetime)).label("last_day"),
        purchases.label("purchases"),
        as_double(sa.func.coalesce(sa.func.sum(amount(options)), 0)).label("revenue"),
        as_double(sa.func.coalesce(sa.func.sum(t.c.bonus_earned), 0)).label("bonus_earned"),
        as_double(sa.func.coalesce(sa.func.sum(t.c.bonus_spent), 0)).label("bonus_spent"),
        *discount_columns(t.c.summ, t.c.summ_with_disc),
    ]
    if with_shops:
        columns.append(sa.func.count(sa.distinct(t.c.shop)).label("shops"))
    query = sa.select(*columns).where(*period_conditions(period), identified(options)).group_by(t.c.card)
    return query.order_by(t.c.card) if ordered else query


def discount_columns(summ, summ_with_disc) -> list[sa.ColumnElement]:
    """Per client `gross` (Σ summ) and `discount` (Σ (summ − summ_with_disc)) over the rows that have both amounts,
    so that discount / gross is the client's discount share (docs/DECISIONS.md, bonus economics)."""
    both = sa.and_(summ.is_not(None), summ_with_disc.is_not(None))
    return [
        as_double(sa.func.coalesce(sa.func.sum(sa.case((both, summ))), 0)).label("gross"),
        as_double(sa.func.coalesce(sa.func.sum(summ - summ_with_disc), 0)).label("discount"),
    ]


def gap_histogram_query(period: Period, options: AnalysisOptions) -> sa.Select:
    """Histogram (gap_days, gaps) of gaps between consecutive distinct purchase dates of each client.

    Each identified row, in (card, datetime) order, minus the previous row's date: rows of the same day give 0 and
    are dropped, which leaves exactly the gaps between distinct dates — without a DISTINCT over (card, day), and in
    the order of the server's (card, datetime) index.
    """
    t = bonuscheques
    gaps = (
        sa.select(gap_days(t).label("gap_days")).where(*period_conditions(period), identified(options)).subquery("gaps")
    )
    return (
        sa.select(gaps.c.gap_days, sa.func.count().label("gaps"))
        .where(gaps.c.gap_days > 0)
        .group_by(gaps.c.gap_days)
        .order_by(gaps.c.gap_days)
    )


def client_base_query(period: Period, options: AnalysisOptions) -> sa.Select:
    """For one-row cheques, the three results of the client base in one scan: GROUPING SETS over the identified rows.

    Rows where `by_card` = 0 are clients (as client_aggregates_query), `by_gap` = 0 the gap histogram (gap_days,
    purchases = gaps; drop gap_days NULL or 0, see gap_histogram_query), the rest the amount histogram (amount,
    purchases = cheques; drop amount NULL). Fast on a column store (DuckDB); a row store hashes every set at once.
    """
    t = bonuscheques
    rows = (
        sa.select(
            t.c.card,
            t.c.datetime,
            amount(options).label("amount"),
            t.c.bonus_earned,
            t.c.bonus_spent,
            t.c.summ,
            t.c.summ_with_disc,
            gap_days(t).label("gap_days"),
        )
        .where(*period_conditions(period), identified(options))
        .subquery("client_rows")
    )
    return sa.select(
        rows.c.card,
        rows.c.gap_days,
        as_double(rows.c.amount).label("amount"),
        sa.func.grouping(rows.c.card).label("by_card"),
        sa.func.grouping(rows.c.gap_days).label("by_gap"),
        day_number(sa.func.min(rows.c.datetime)).label("first_day"),
        day_number(sa.func.max(rows.c.datetime)).label("last_day"),
        sa.func.count().label("purchases"),
        as_double(sa.func.coalesce(sa.func.sum(rows.c.amount), 0)).label("revenue"),
        as_double(sa.func.coalesce(sa.func.sum(rows.c.bonus_earned), 0)).label("bonus_earned"),
        as_double(sa.func.coalesce(sa.func.sum(rows.c.bonus_spent), 0)).label("bonus_spent"),
        *discount_columns(rows.c.summ, rows.c.summ_with_disc),
    ).group_by(sa.func.grouping_sets(sa.tuple_(rows.c.card), sa.tuple_(rows.c.gap_days), sa.tuple_(rows.c.amount)))


def cheque_amounts_subquery(period: Period, options: AnalysisOptions, identified_only: bool = True):
    """One row per cheque (doc_id): its amount (rows of a multi-row cheque summed)."""
    t = bonuscheques
    conditions = period_conditions(period)
    if identified_only:
        conditions.append(identified(options))
    return (
        sa.select(t.c.doc_id, sa.func.sum(amount(options)).label("amount"))
        .where(*conditions)
        .group_by(t.c.doc_id)
        .subquery("cheque_amounts")
    )


def amount_histogram_query(period: Period, options: AnalysisOptions, *, unique_doc_ids: bool = False) -> sa.Select:
    """Histogram (amount, cheques) of the amounts of identified cheques in the period.

    With `unique_doc_ids` every row is a whole cheque and the rows' amounts are counted directly (no GROUP BY doc_id).
    """
    if unique_doc_ids:
        value = amount(options)
        return (
            sa.select(as_double(value).label("amount"), sa.func.count().label("cheques"))
            .where(*period_conditions(period), identified(options), value.is_not(None))
            .group_by(value)
            .order_by(value)
        )
    cheques = cheque_amounts_subquery(period, options)
    return (
        sa.select(as_double(cheques.c.amount).label("amount"), sa.func.count().label("cheques"))
        .where(cheques.c.amount.is_not(None))
        .group_by(cheques.c.amount)
        .order_by(cheques.c.amount)
    )


def since_query(analysis_date: dt.date, options: AnalysisOptions, revenue_before: dt.date | None = None) -> sa.Select:
    """Each identified card's first purchase day and revenue in the whole history up to the analysis date T (SPEC §2:
    Age counts from it, including the cheques before the period's start; the revenue is the history's LTV).
    With `revenue_before` the revenue column is `revenue_before_start`: only the cheques before that day (a monthly
    series adds each period's own revenue to it)."""
    t = bonuscheques
    end = dt.datetime.combine(analysis_date + dt.timedelta(days=1), dt.time())
    if revenue_before is None:
        revenue = as_double(sa.func.coalesce(sa.func.sum(amount(options)), 0)).label("history_revenue")
    else:
        before = t.c.datetime < dt.datetime.combine(revenue_before, dt.time())
        earlier = sa.func.sum(sa.case((before, amount(options)), else_=None))
        revenue = as_double(sa.func.coalesce(earlier, 0)).label("revenue_before_start")
    return (
        sa.select(
            t.c.card.label("card"),
            day_number(sa.func.min(t.c.datetime)).label("since_day"),
            revenue,
        )
        .where(identified(options), t.c.datetime < end)
        .group_by(t.c.card)
    )
