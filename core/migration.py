"""Migration between segments across a bonus date (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.classify import Classification
from core.client_base import ClientBase, load_client_base
from core.client_filter import TABLE_COLUMNS
from core.db import reads_cheques
from core.grading import empty_graded, grade_clients
from core.messages import NO_CHEQUES_FOR_MIGRATION
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins, Thresholds
from core.periods import check_bonus_date, period_bounds
from core.segments import NEW_SOURCE, OTHER_FLOWS, SEGMENT_LEVELS, segment_label, segment_order
from core.thresholds import ThresholdSuggestion, suggest_thresholds

LEVELS = SEGMENT_LEVELS
TOP_FLOWS = 15  # the class-level Sankey draws this many largest flows, the rest as one «прочие» → «прочие»
SOURCE_COLUMNS = [f"source_{level}" for level in LEVELS]
# The columns of a flow's client table and of its CSV: the client's source segments, then the snapshot-2 table
FLOW_COLUMNS = ["card", *SOURCE_COLUMNS, *TABLE_COLUMNS[1:]]
FLOW_COLUMNS.insert(FLOW_COLUMNS.index("revenue") + 1, "revenue_after")
TOTAL = "total"  # flow_table's column of the row's total
STAYED = "stayed_share"  # flow_table's column of the row's share of clients whose segment is unchanged


@dataclass(frozen=True)
class Flow:
    """One migration flow: the clients of `source` before the bonus date found in `destination` after it."""

    level: str
    source: str
    destination: str

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise RfmaError(f"уровень миграции {self.level!r}: допустимы region, cluster, class")
        if (self.source == OTHER_FLOWS) != (self.destination == OTHER_FLOWS):
            raise RfmaError("«прочие» — это поток «прочие → прочие»")

    @property
    def key(self) -> str:
        """'region|110|410': the flow as one text (a chart's customdata, a component id)."""
        return f"{self.level}|{self.source}|{self.destination}"

    @classmethod
    def parse(cls, key: object) -> Flow:
        """The flow of a key made by `Flow.key`; RfmaError for anything else."""
        parts = str(key or "").split("|")
        if len(parts) != 3 or not all(parts):
            raise RfmaError("Выберите поток на диаграмме или в матрице миграции.")
        return cls(*parts)

    @property
    def label(self) -> str:
        """'110 VIP → 410 ушедший VIP'."""
        if self.source == OTHER_FLOWS:
            return f"прочие потоки (кроме {TOP_FLOWS} крупнейших)"
        return f"{segment_label(self.level, self.source)} → {segment_label(self.level, self.destination)}"

    def file_part(self) -> str:
        """'migration_110_to_410' (ASCII: «новый» is 'new', «прочие» is 'other')."""
        names = {NEW_SOURCE: "new", OTHER_FLOWS: "other"}
        return f"migration_{names.get(self.source, self.source)}_to_{names.get(self.destination, self.destination)}"


@dataclass(frozen=True, eq=False)
class Migration:
    """Two snapshots graded with one threshold set, and every snapshot-2 client's source and destination."""

    period: Period
    bonus_date: dt.date
    suggestion: ThresholdSuggestion
    before: Classification
    after: Classification
    flows: pd.DataFrame = field(repr=False)
    warnings: tuple[str, ...] = ()

    def matrix(self, level: str = "region") -> pd.DataFrame:
        """Rows (source_<level>, destination_<level>, clients, revenue_after) for every non-empty flow."""
        if level not in LEVELS:
            raise RfmaError(f"уровень миграции {level!r}: допустимы region, cluster, class")
        source, destination = f"source_{level}", f"destination_{level}"
        if self.flows.empty:
            return pd.DataFrame({source: [], destination: [], "clients": [], "revenue_after": []})
        grouped = (
            self.flows.groupby([source, destination], sort=False)
            .agg(clients=("card", "size"), revenue_after=("revenue_after", "sum"))
            .reset_index()
        )
        order = [
            (segment_order(level, s), segment_order(level, d))
            for s, d in zip(grouped[source], grouped[destination], strict=True)
        ]
        return grouped.take(sorted(range(len(grouped)), key=order.__getitem__)).reset_index(drop=True)

    def client_table(self) -> pd.DataFrame:
        """Snapshot-2 clients (graded with the migration's thresholds) with their sources and revenue after the
        bonus date: FLOW_COLUMNS, rows in the order of `flows`."""
        clients = self.after.clients
        extra = {name: self.flows[name].to_numpy() for name in (*SOURCE_COLUMNS, "revenue_after")}
        return clients.assign(**extra)[[c for c in FLOW_COLUMNS if c in clients.columns or c in extra]]

    def flow_positions(self, flow: Flow, top: int = TOP_FLOWS) -> np.ndarray:
        """Row positions (of `flows` and `client_table`) of a flow's clients; «прочие» = outside the `top` largest."""
        source, destination = f"source_{flow.level}", f"destination_{flow.level}"
        if flow.source == OTHER_FLOWS:
            kept = top_flows(self.matrix(flow.level), flow.level, top)
            pairs = set(zip(kept[source], kept[destination], strict=True)) - {(OTHER_FLOWS, OTHER_FLOWS)}
            index = pd.MultiIndex.from_arrays([self.flows[source], self.flows[destination]])
            return np.flatnonzero(~index.isin(list(pairs)))
        mask = (self.flows[source] == flow.source) & (self.flows[destination] == flow.destination)
        return np.flatnonzero(mask.to_numpy())

    def shares(self) -> dict[str, float | int]:
        """Counts and shares of returning clients that warmed, stayed or cooled (warmth digit), and new clients."""
        flows = self.flows
        returning = flows[flows["source_region"] != NEW_SOURCE]
        before = returning["source_region"].astype(int) // 100
        after = returning["destination_region"].astype(int) // 100
        counts = {
            "warmed": int((after < before).sum()),
            "stayed": int((after == before).sum()),
            "cooled": int((after > before).sum()),
            "new": int(len(flows) - len(returning)),
        }
        total = len(returning)
        result: dict[str, float | int] = dict(counts)
        for name in ("warmed", "stayed", "cooled"):
            result[f"{name}_share"] = counts[name] / total if total else 0.0
        result["returning"] = total
        return result


def flow_table(matrix: pd.DataFrame, level: str, value: str = "clients") -> pd.DataFrame:
    """Source × destination values (rows and columns in warmth order) with each row's TOTAL and STAYED: the share
    of the row's clients whose segment is unchanged (NaN for «новый»)."""
    source, destination = f"source_{level}", f"destination_{level}"
    pivot = matrix.pivot_table(index=source, columns=destination, values=value, aggfunc="sum", fill_value=0)
    clients = matrix.pivot_table(index=source, columns=destination, values="clients", aggfunc="sum", fill_value=0)
    rows = sorted(pivot.index, key=lambda code: segment_order(level, code))
    columns = sorted(pivot.columns, key=lambda code: segment_order(level, code))
    table = pivot.reindex(index=rows, columns=columns, fill_value=0)
    clients = clients.reindex(index=rows, columns=columns, fill_value=0)
    stayed = [clients.at[code, code] / clients.loc[code].sum() if code in clients.columns else 0.0 for code in rows]
    table[TOTAL] = table[columns].sum(axis=1)
    table[STAYED] = [np.nan if code == NEW_SOURCE else share for code, share in zip(rows, stayed, strict=True)]
    table.index.name, table.columns.name = source, None
    return table


def top_flows(matrix: pd.DataFrame, level: str, n: int = TOP_FLOWS) -> pd.DataFrame:
    """The `n` largest flows by clients (ties in warmth order) and one «прочие» → «прочие» row for the rest."""
    source, destination = f"source_{level}", f"destination_{level}"
    if len(matrix) <= n:
        return matrix.reset_index(drop=True)
    keys = [
        (-int(c), segment_order(level, s), segment_order(level, d))
        for c, s, d in zip(matrix["clients"], matrix[source], matrix[destination], strict=True)
    ]
    order = sorted(range(len(matrix)), key=keys.__getitem__)
    kept, rest = matrix.take(order[:n]), matrix.take(order[n:])
    other = pd.DataFrame(
        {
            source: [OTHER_FLOWS],
            destination: [OTHER_FLOWS],
            "clients": [int(rest["clients"].sum())],
            "revenue_after": [float(rest["revenue_after"].sum())],
        }
    )
    return pd.concat([kept, other], ignore_index=True)


@reads_cheques
def migrate(
    conn: sa.Connection,
    bonus_date: dt.date,
    period: Period = Period(),
    pins: ThresholdPins = ThresholdPins(),
    options: AnalysisOptions = AnalysisOptions(),
) -> Migration:
    """Classify the period up to the bonus date and the whole period with one threshold set, and pair them."""
    bounds = period_bounds(conn, period)
    if bounds is None:
        raise RfmaError(NO_CHEQUES_FOR_MIGRATION)
    check_bonus_date(bonus_date, *bounds)
    base_before = load_client_base(conn, Period(period.date_from, bonus_date), options)
    base_after = load_client_base(conn, period, options)
    return migrate_bases(base_before, base_after, bonus_date, pins, _revenue_after(conn, period, bonus_date, options))


def _revenue_after(conn, period: Period, bonus_date: dt.date, options) -> pd.Series:
    if period.date_to is not None and bonus_date >= period.date_to:
        return pd.Series(dtype="float64")
    later = load_client_base(conn, Period(bonus_date + dt.timedelta(days=1), period.date_to), options)
    return pd.Series(later.clients["revenue"].to_numpy(), index=later.clients["card"].to_numpy())


def migrate_bases(
    before: ClientBase,
    after: ClientBase,
    bonus_date: dt.date,
    pins: ThresholdPins = ThresholdPins(),
    revenue_after: pd.Series | None = None,
) -> Migration:
    """Pair two client bases (up to the bonus date / whole period) graded with the snapshot-1 threshold set."""
    warnings: list[str] = []
    if before.is_empty:
        suggestion = suggest_thresholds(after, pins)
        warnings.append(
            "До бонус-даты нет идентифицированных клиентов: пороги взяты по всему периоду, все клиенты — новые."
        )
    else:
        suggestion = suggest_thresholds(before, pins)
    thresholds = suggestion.thresholds
    graded_before = _graded(before, thresholds)
    graded_after = _graded(after, thresholds)
    flows = _flows(graded_before, graded_after, revenue_after)
    return Migration(
        period=after.period,
        bonus_date=bonus_date,
        suggestion=suggestion,
        before=Classification(before, suggestion, graded_before),
        after=Classification(after, suggestion, graded_after),
        flows=flows,
        warnings=tuple(warnings) + suggestion.warnings,
    )


def _graded(base: ClientBase, thresholds: Thresholds | None) -> pd.DataFrame:
    """The base graded with the thresholds; an empty graded frame (same columns as the base's) when nothing to grade."""
    if thresholds is None or base.is_empty:
        return empty_graded("shops" in base.clients)
    return grade_clients(base, thresholds)


def _flows(before: pd.DataFrame, after: pd.DataFrame, revenue_after: pd.Series | None) -> pd.DataFrame:
    columns = ["card"] + [f"{side}_{level}" for level in LEVELS for side in ("source", "destination")]
    if after.empty:
        return pd.DataFrame({name: pd.Series(dtype="str") for name in columns} | {"revenue_after": []})
    source = before.set_index("card")[["region", "cluster", "class"]].astype(str)
    flows = pd.DataFrame({"card": after["card"].to_numpy()})
    for level in LEVELS:
        flows[f"source_{level}"] = source[level].reindex(flows["card"]).fillna(NEW_SOURCE).to_numpy()
        flows[f"destination_{level}"] = after[level].astype(str).to_numpy()
    revenue = revenue_after if revenue_after is not None else pd.Series(dtype="float64")
    flows["revenue_after"] = revenue.reindex(flows["card"]).fillna(0.0).to_numpy(dtype="float64")
    return flows
