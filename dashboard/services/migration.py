"""Tab «Миграция»: two snapshots around a bonus date graded with one threshold set, and the flows between them."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

from core.messages import NO_CHEQUES_FOR_MIGRATION
from core.migration import LEVELS, migrate_bases
from core.model import RfmaError, parse_date
from core.periods import check_bonus_date, resolved_bounds
from dashboard.services.analysis import Analyses
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

    def view(self, request: AnalysisRequest, bonus_date: object) -> MigrationView:
        """The migration across `bonus_date` (a date picker's value); RfmaError when it is missing or outside."""
        bonus = parse_date(iso_date(bonus_date), "бонус-дата")
        if bonus is None:
            raise RfmaError(NO_BONUS_DATE)
        return self.analyses.cache.get_or_compute(
            request.key("migration", bonus.isoformat()), lambda: self._view(request, bonus)
        )

    def _view(self, request: AnalysisRequest, bonus: dt.date) -> MigrationView:
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
        thresholds = result.suggestion.thresholds
        if thresholds is None:
            raise RfmaError(result.suggestion.warnings[0] if result.suggestion.warnings else "Нет данных для миграции.")
        return MigrationView(
            bonus_date=bonus,
            matrices={level: result.matrix(level) for level in LEVELS},
            shares=result.shares(),
            warnings=result.warnings,
            thresholds=thresholds.as_dict(),
        )
