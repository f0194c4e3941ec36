"""Tab «Миграция»: two snapshots around a bonus date graded with one threshold set, the flows between them, and
one flow's clients (table pages and the CSV)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.campaigns import placebo_check
from core.client_filter import sort_positions
from core.export import client_list_filename, iter_client_list_csv
from core.messages import NO_CHEQUES_FOR_MIGRATION
from core.migration import FLOW_COLUMNS, LEVELS, TOP_FLOWS, Flow, Migration, flow_table, migrate_bases, top_flows
from core.model import RfmaError, parse_date
from core.periods import check_bonus_date, resolved_bounds
from dashboard import grid
from dashboard.services.access import Permission, allowed
from dashboard.services.analysis import Analyses
from dashboard.services.cache import WorkerMemory
from dashboard.services.request import AnalysisRequest, iso_date

NO_BONUS_DATE = "Выберите бонус-дату внутри периода."


@dataclass(frozen=True, eq=False)
class MigrationView:
    """Flow matrices per level, warmed/stayed/cooled shares and warnings for one bonus date."""

    bonus_date: dt.date
    matrices: dict[str, pd.DataFrame]
    shares: dict
    warnings: tuple[str, ...]
    thresholds: dict[str, float]
    tables: dict[tuple[str, str], pd.DataFrame]  # (level, value) → core.migration.flow_table
    sankeys: dict[str, pd.DataFrame]  # level → the flows the Sankey draws (the class level: TOP_FLOWS + «прочие»)


@dataclass(frozen=True, eq=False)
class FlowView:
    """One flow's clients as the count line above their table names them."""

    flow: Flow
    bonus_date: dt.date
    clients: int
    revenue_after: float


@dataclass(frozen=True)
class PlaceboView:
    """The placebo check of §10 beside the migration: counts of both, each share's difference with its interval."""

    bonus_date: dt.date
    placebo_bonus_date: dt.date
    analysis_date: dt.date
    actual: dict[str, int]  # n, warmed, stayed, cooled
    placebo: dict[str, int] | None  # None: unavailable
    differences: dict[str, tuple[float | None, tuple[float, float] | None]]
    differs: bool
    verdict: str
    warnings: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """False when b − L is before the first cheque."""
        return self.placebo is not None


RESULTS_KEPT = 2  # per worker: migrations (snapshot-2 graded clients) kept for the flow tables
ORDERS_KEPT = 3  # per worker: flow-table row orders (flow × sort)
MAX_PAGE_ROWS = 500  # one block of the flow table; the grid asks for 50 at a time


def middle_date(start: str, end: str) -> str:
    """The default bonus date of a period (ISO dates): its middle."""
    lo, hi = dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10])
    return (lo + (hi - lo) / 2).isoformat()


def bonus_date_inside(start: str | None, end: str | None, current: str | None) -> str | None:
    """The bonus date to show for a period: the current one when it lies inside, else the period's middle."""
    if not start or not end:
        return current
    if current and start[:10] <= current[:10] <= end[:10]:  # ISO dates compare as text
        return current[:10]
    return middle_date(start, end)


class MigrationService:
    """The tab's computation from the cached client bases before, after and since the bonus date."""

    def __init__(self, analyses: Analyses):
        self.analyses = analyses
        self._results = WorkerMemory(RESULTS_KEPT)
        self._tables = WorkerMemory(RESULTS_KEPT)
        self._orders = WorkerMemory(ORDERS_KEPT)

    @staticmethod
    def bonus(bonus_date: object) -> dt.date:
        """The bonus date of a date picker's value; RfmaError when it is missing or not a date."""
        bonus = parse_date(iso_date(bonus_date), "бонус-дата")
        if bonus is None:
            raise RfmaError(NO_BONUS_DATE)
        return bonus

    @staticmethod
    def flow(key: object) -> Flow:
        """The flow of a key from a chart or a matrix cell ('region|110|410'); RfmaError for anything else."""
        return Flow.parse(key)

    def view(self, request: AnalysisRequest, bonus_date: object) -> MigrationView:
        """The migration across `bonus_date` (a date picker's value); RfmaError when it is missing or outside."""
        bonus = self.bonus(bonus_date)
        return self.analyses.cache.get_or_compute(
            request.key("migration", bonus.isoformat()), lambda: self._view(self._migration(request, bonus))
        )

    def _migration(self, request: AnalysisRequest, bonus: dt.date) -> Migration:
        """The core result (both snapshots' graded clients), kept in this worker's memory."""
        return self._results.get_or_compute(
            request.key("migration_result", bonus.isoformat()), lambda: self._migrate(request, bonus)
        )

    def _migrate(self, request: AnalysisRequest, bonus: dt.date) -> Migration:
        after = self.analyses.client_base(request)
        if after.cheques == 0:
            raise RfmaError(NO_CHEQUES_FOR_MIGRATION)
        check_bonus_date(bonus, *resolved_bounds(after))
        message = after.empty_message()
        if message:
            raise RfmaError(message)
        period = request.period
        revenue_after = pd.Series(dtype="float64")
        with ThreadPoolExecutor(max_workers=1) as pool:  # the two snapshots' SQL side by side
            before = pool.submit(self.analyses.client_base, request.with_period(period.date_from, bonus))
            if period.date_to is None or bonus < period.date_to:  # a bonus date on the last day leaves nothing after
                later = self.analyses.client_base(request.with_period(bonus + dt.timedelta(days=1), period.date_to))
                revenue_after = pd.Series(later.clients["revenue"].to_numpy(), index=later.clients["card"].to_numpy())
            before_base = before.result()
        result = migrate_bases(before_base, after, bonus, request.pins, revenue_after)
        if result.suggestion.thresholds is None:
            raise RfmaError(result.suggestion.warnings[0] if result.suggestion.warnings else "Нет данных для миграции.")
        return result

    @staticmethod
    def _view(result: Migration) -> MigrationView:
        thresholds = result.suggestion.thresholds
        matrices = {level: result.matrix(level) for level in LEVELS}
        return MigrationView(
            bonus_date=result.bonus_date,
            matrices=matrices,
            shares=result.shares(),
            warnings=result.warnings,
            thresholds=thresholds.as_dict() if thresholds else {},
            tables={
                (level, value): flow_table(matrices[level], level, value)
                for level in LEVELS
                for value in ("clients", "revenue_after")
            },
            sankeys={level: top_flows(m, level) if level == "class" else m for level, m in matrices.items()},
        )

    def placebo(self, request: AnalysisRequest, bonus_date: object) -> PlaceboView:
        """§10: the migration beside the same migration shifted back by its own length (cached per request)."""
        bonus = self.bonus(bonus_date)
        return self.analyses.cache.get_or_compute(
            request.key("placebo", bonus.isoformat()), lambda: self._placebo(request, bonus)
        )

    def _placebo(self, request: AnalysisRequest, bonus: dt.date) -> PlaceboView:
        actual = self._migration(request, bonus)
        check = placebo_check(request.engine(), bonus, request.period, request.pins, request.options, actual=actual)
        return PlaceboView(
            bonus_date=bonus,
            placebo_bonus_date=check.placebo_bonus_date,
            analysis_date=check.analysis_date,
            actual=check.counts(check.actual),
            placebo=check.counts(check.placebo) if check.placebo is not None else None,
            differences={name: (d.diff, d.ci) for name, d in check.differences().items()},
            differs=check.differs,
            verdict=check.verdict(),
            warnings=tuple(check.warnings()),
        )

    def _ordered(
        self, request: AnalysisRequest, bonus: dt.date, flow: Flow, sort: tuple
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """(the flow table of every snapshot-2 client, positions of the flow's clients in the table's order)."""
        result = self._migration(request, bonus)
        table = self._tables.get_or_compute(
            request.key("migration_table", bonus.isoformat()), lambda: result.client_table()
        )
        order = self._orders.get_or_compute(
            request.key("migration_order", bonus.isoformat(), flow.key, repr(sort)),
            lambda: sort_positions(table, result.flow_positions(flow, TOP_FLOWS), sort, FLOW_COLUMNS),
        )
        return table, order

    def flow_view(self, request: AnalysisRequest, bonus_date: object, flow: Flow) -> FlowView:
        """How many clients the flow holds and their revenue after the bonus date."""
        bonus = self.bonus(bonus_date)
        table, order = self._ordered(request, bonus, flow, ())
        return FlowView(flow, bonus, len(order), float(table["revenue_after"].to_numpy()[order].sum()))

    def flow_page(
        self, request: AnalysisRequest, bonus_date: object, flow: Flow, start_row: int, end_row: int, sort: tuple
    ) -> tuple[list[dict], int]:
        """One block of the flow's client table (at most MAX_PAGE_ROWS rows) and the flow's client count."""
        table, order = self._ordered(request, self.bonus(bonus_date), flow, sort)
        start = max(0, int(start_row))
        end = min(max(start, int(end_row)), start + MAX_PAGE_ROWS)
        rows = table.take(order[start:end])
        return grid.page_records(rows, FLOW_COLUMNS, mask_cards=not allowed(Permission.SEE_CARDS)), len(order)

    def flow_csv(
        self,
        request: AnalysisRequest,
        bonus_date: object,
        flow: Flow,
        sort: tuple = (),
        fmt: str = "excel",
        names: str = "ru",
    ) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of the flow's clients in the table's order; the name says the flow, the bonus date
        and the period (no '#' lines: the file is a plain table, as «Финал»'s)."""
        bonus = self.bonus(bonus_date)
        result = self._migration(request, bonus)
        table, order = self._ordered(request, bonus, flow, sort)
        first, last = (d.isoformat() for d in resolved_bounds(result.after.base))
        columns = [c for c in FLOW_COLUMNS if c in table.columns]
        chunks = iter_client_list_csv(table, columns, [], fmt, rows=order, names=names)
        name = client_list_filename(flow.file_part(), first, last, filters_part=f"бонус-дата_{bonus.isoformat()}")
        return name, chunks
