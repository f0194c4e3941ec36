"""Migration between segments across a bonus date (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from core.classify import Classification
from core.client_base import ClientBase, load_client_base
from core.db import reads_cheques
from core.grading import empty_graded, grade_clients
from core.messages import NO_CHEQUES_FOR_MIGRATION
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins, Thresholds
from core.periods import check_bonus_date, period_bounds
from core.segments import NEW_SOURCE
from core.thresholds import ThresholdSuggestion, suggest_thresholds

LEVELS = ("region", "cluster", "class")


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
        order = grouped[source].map(lambda code: (code == NEW_SOURCE, code))
        grouped = grouped.assign(_order=order).sort_values(["_order", destination], kind="stable")
        return grouped.drop(columns="_order").reset_index(drop=True)

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
