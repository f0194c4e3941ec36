"""One analysis from database (or a loaded base) to every client's segment: thresholds, then grades."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from core.client_base import ClientBase, load_client_base, load_first_purchases
from core.grading import empty_graded, grade_clients
from core.model import AnalysisOptions, Period, ThresholdPins, Thresholds
from core.thresholds import ThresholdSuggestion, suggest_thresholds


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
        return Classification(base, suggestion, empty_graded("shops" in base.clients))
    return Classification(base, suggestion, grade_clients(base, suggestion.thresholds))


def classify(
    conn: sa.Connection | sa.Engine,
    period: Period = Period(),
    pins: ThresholdPins = ThresholdPins(),
    options: AnalysisOptions = AnalysisOptions(),
    with_shops: bool = False,
    first_purchases: pd.DataFrame | None = None,
) -> Classification:
    """One call from database to every client's class, cluster and region (`first_purchases`: load_client_base)."""
    return classify_base(load_client_base(conn, period, options, with_shops, first_purchases), pins)


def classify_series(
    conn: sa.Connection | sa.Engine,
    periods: list[Period],
    pins: ThresholdPins = ThresholdPins(),
    options: AnalysisOptions = AnalysisOptions(),
) -> Iterator[Classification]:
    """The classification of each period in turn (a monthly series), on one connection; when the periods share
    their start, the first purchases and the revenue before it are read once, up to the last end, and shared."""
    if isinstance(conn, sa.Engine):
        with conn.connect() as connection:
            yield from classify_series(connection, periods, pins, options)
        return
    ends = [p.date_to for p in periods]
    starts = {p.date_from for p in periods}
    shared = None
    if periods and len(starts) == 1 and None not in starts and all(end is not None for end in ends):
        start = next(iter(starts))
        assert start is not None
        shared = load_first_purchases(conn, max(e for e in ends if e is not None), start, options)
    for period in periods:
        yield classify(conn, period, pins, options, first_purchases=shared)
