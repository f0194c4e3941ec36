"""The per-client base of a period, aggregated in SQL: one row per identified client plus two histograms (SPEC §1–2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import queries
from core.db import reads_cheques, recorded_doc_ids_unique
from core.fetch import fetch_arrow, fetch_frames, with_postgresql_settings
from core.messages import NO_CHEQUES, NO_IDENTIFIED_CLIENTS
from core.model import AnalysisOptions, Period

AVG_CHEQUE_DECIMALS = 9  # exact for cent amounts up to ~10^7 purchases per client; removes 1e-17 noise


@dataclass(frozen=True, eq=False)
class ClientBase:
    """Everything grading needs, aggregated in SQL: one row per identified client (in card order, so positions into
    it mean the same clients whichever backend, process or run made it) plus two histograms."""

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
        return frozen(self.analysis_day - self.clients["last_day"].to_numpy())

    @cached_property
    def age_days(self) -> np.ndarray:
        """A = T − since: the client's first purchase in the history up to T (before the period's start too)."""
        since = self.clients["since_day" if "since_day" in self.clients else "first_day"]  # a base built by hand
        return frozen(self.analysis_day - since.to_numpy())

    @cached_property
    def avg_cheque(self) -> np.ndarray:
        """Average cheque = revenue / purchases, per client (rounded to 1e-9 so float noise never flips a grade)."""
        revenue, purchases = self.clients["revenue"].to_numpy(), self.clients["purchases"].to_numpy()
        return frozen(np.round(revenue / purchases, AVG_CHEQUE_DECIMALS))

    @cached_property
    def first_dates(self) -> np.ndarray:
        """First purchase date per client (datetime64[s])."""
        return frozen(_days_to_dates(self.clients["first_day"].to_numpy()))

    @cached_property
    def last_dates(self) -> np.ndarray:
        """Last purchase date per client (datetime64[s])."""
        return frozen(_days_to_dates(self.clients["last_day"].to_numpy()))

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name not in _DERIVED}

    def empty_message(self) -> str | None:
        """Why this base cannot be classified, or None."""
        if self.cheques == 0:
            return NO_CHEQUES
        if self.is_empty:
            return NO_IDENTIFIED_CLIENTS
        return None


_DERIVED = ("recency_days", "age_days", "avg_cheque", "first_dates", "last_dates", "_frequency")


def frozen(values: np.ndarray) -> np.ndarray:
    """Mark an array shared by several results read-only, so no caller can change it for the others."""
    values.flags.writeable = False
    return values


@reads_cheques
def load_client_base(
    conn: sa.Connection,
    period: Period = Period(),
    options: AnalysisOptions = AnalysisOptions(),
    with_shops: bool = False,
    first_purchases: pd.DataFrame | None = None,
) -> ClientBase:
    """Aggregate the period's cheques in SQL into a ClientBase (per-client rows and two histograms).

    `with_shops` adds each client's number of distinct pharmacies (the dashboard's client table needs it; grading
    does not, and it costs a COUNT(DISTINCT) per client). `first_purchases` = load_first_purchases(conn, D, options)
    for a D on or after the period's end, when already read (a monthly series reads it once for all its periods):
    each client's first purchase up to D is the one up to T, since every client of the period bought by T.
    """
    summary = conn.execute(queries.period_summary_query(period)).one()
    cheques, analysis_day = int(summary.cheques or 0), summary.analysis_day
    if analysis_day is None:
        return _empty_base(period, None, cheques, with_shops)
    whole_table = period.date_from is None and period.date_to is None
    unique = bool(recorded_doc_ids_unique(conn, rows=cheques if whole_table else None))
    analysis_date = queries.day_number_to_date(analysis_day)
    # Age counts from the first purchase before the period's start too: one more statement when there is one
    since = [queries.since_query(analysis_date, options)] if period.date_from is not None else []
    known = [first_purchases] if since and first_purchases is not None else []
    since = [] if known else since
    if unique and not with_shops and conn.dialect.name == "duckdb":
        clients, gaps, amounts = _split_client_base(fetch_arrow(conn, queries.client_base_query(period, options)))
        history = known or fetch_frames(conn, since)
    else:  # a row store (or the general case): the queries side by side on a server's connections
        clients, gaps, amounts, *history = fetch_frames(
            conn,
            [
                _client_aggregates(conn, period, options, unique, with_shops),
                queries.gap_histogram_query(period, options),
                queries.amount_histogram_query(period, options, unique_doc_ids=unique),
                *since,
            ],
        )
        history = known or history
    clients = _normalise_clients(clients, with_shops)
    earlier = history[0] if history and not clients.empty else None
    positions = _history_positions(clients, earlier) if earlier is not None else None
    clients["since_day"] = _since_days(clients, earlier, positions)
    clients["history_revenue"] = _history_revenue(clients, earlier, positions)
    return ClientBase(
        period=period,
        analysis_date=analysis_date,
        cheques=cheques,
        clients=clients,
        gap_histogram=_histogram(gaps, "gap_days", "gaps", "int64"),
        amount_histogram=_round_values(_histogram(amounts, "amount", "cheques", "float64"), AVG_CHEQUE_DECIMALS),
    )


@reads_cheques
def load_first_purchases(
    conn: sa.Connection, until: dt.date, start: dt.date, options: AnalysisOptions = AnalysisOptions()
) -> pd.DataFrame:
    """Each identified card's first purchase day up to `until` and its revenue before `start`, the periods' common
    first day (queries.since_query's rows: card, since_day, revenue_before_start)."""
    return fetch_frames(conn, [queries.since_query(until, options, revenue_before=start)])[0]


def _history_positions(clients: pd.DataFrame, history: pd.DataFrame) -> np.ndarray:
    """Each client's row in `history` (queries.since_query's rows), -1 when absent: one hash lookup in Arrow (a pandas
    reindex by card strings cost 1.5 s per column for 1M clients)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = pa.array(history["card"].astype(str), type=pa.string())
    positions = pc.index_in(pa.array(clients["card"].astype(str), type=pa.string()), value_set=value_set)
    return positions.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


def _from_history(history: pd.DataFrame, column: str, positions: np.ndarray) -> np.ndarray:
    """`history[column]` at `positions` as float64, NaN where the position is -1."""
    values = history[column].to_numpy(dtype="float64")
    found = np.full(len(positions), np.nan)
    known = positions >= 0
    found[known] = values[positions[known]]
    return found


def _since_days(clients: pd.DataFrame, history: pd.DataFrame | None, positions: np.ndarray | None) -> np.ndarray:
    """Each client's first purchase day in the history up to T (`history`: queries.since_query's rows, `positions`
    the clients' rows in it): the period's first purchase when the period starts at the beginning of the data (no
    history needed)."""
    first = clients["first_day"].to_numpy()
    if history is None or positions is None:
        return first.copy()
    found = _from_history(history, "since_day", positions)
    return np.where(np.isnan(found), first, np.minimum(found, first)).astype("int64")


def _history_revenue(clients: pd.DataFrame, history: pd.DataFrame | None, positions: np.ndarray | None) -> np.ndarray:
    """Each client's revenue over the history up to T (`history`: queries.since_query's rows, `positions` the
    clients' rows in it): the period's revenue when the period starts at the beginning of the data (the period is
    then the whole history)."""
    revenue = clients["revenue"].to_numpy(dtype="float64")
    if history is None or positions is None:
        return revenue.copy()
    if "revenue_before_start" in history.columns:  # load_first_purchases (shared by a series): earlier + the period's
        return revenue + np.nan_to_num(_from_history(history, "revenue_before_start", positions), nan=0.0)
    found = _from_history(history, "history_revenue", positions)
    return np.where(np.isnan(found), revenue, found)


def _client_aggregates(conn: sa.Connection, period: Period, options: AnalysisOptions, unique: bool, with_shops: bool):
    """Q2 for this backend, in card order (positions into the client frame are kept: its order must be fixed;
    DuckDB sorts in parallel, cheaper than sorting the fetched frame). A server plans it as a GroupAggregate (no
    hash aggregation): with the covering (card, datetime) index the groups stream off the index; PostgreSQL's cost
    model sometimes prefers a hash table of every client instead, which spills to disk with a large client base
    and is then much slower (docs/SCALING.md)."""
    server = conn.dialect.name != "duckdb"
    query = queries.client_aggregates_query(period, options, unique_doc_ids=unique, with_shops=with_shops, ordered=True)
    return with_postgresql_settings(query, enable_hashagg="off") if server else query


def _split_client_base(table) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The (clients, gap histogram, amount histogram) frames of queries.client_base_query's grouping sets (Arrow)."""
    by_card = table["by_card"].to_numpy() == 0
    by_gap = ~by_card & (table["by_gap"].to_numpy() == 0)
    client_rows = np.flatnonzero(by_card)
    clients = table.select(
        ["card", "first_day", "last_day", "purchases", "revenue", "bonus_earned", "bonus_spent", "gross", "discount"]
    )
    if len(client_rows) and client_rows[-1] - client_rows[0] + 1 == len(client_rows):
        clients = clients.slice(client_rows[0], len(client_rows))  # one set after another: no copy of the cards
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
        _normalise_clients(pd.DataFrame(), with_shops).assign(
            since_day=pd.Series(dtype="int64"), history_revenue=pd.Series(dtype="float64")
        ),
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
        "gross": "float64",
        "discount": "float64",
        "shops": "int64",
    }
    if not with_shops:
        del dtypes["shops"]
    if frame.empty:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in dtypes.items()})
    frame = frame.astype(dtypes)
    if not frame["card"].is_monotonic_increasing:  # a server already sends card order; DuckDB's GROUP BY does not
        frame = frame.sort_values("card", kind="stable", ignore_index=True)
    return frame.reset_index(drop=True)


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


def _days_to_dates(days: np.ndarray) -> np.ndarray:
    return (np.datetime64("1970-01-01", "D") + days.astype("timedelta64[D]")).astype("datetime64[s]")
