"""Tab «Аптеки»: unidentified shares by pharmacy, average and median cheque, monthly revenue, the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core.messages import NO_CHEQUES
from core.model import RfmaError
from core.overview import Overview
from dashboard.services.analysis import Analyses
from dashboard.services.clients import monthly_partial
from dashboard.services.request import AnalysisRequest


@dataclass(frozen=True, eq=False)
class PharmaciesView:
    """What the tab shows for one period."""

    overview: Overview
    shop_table: pd.DataFrame
    closed_shops: list[str]  # no sale in the period's last month
    all_unidentified: bool
    partial_months: dict[dt.date, int] = field(default_factory=dict)  # month → days the period's data covers


def closed_shops(overview: Overview, shop_table: pd.DataFrame) -> list[str]:
    """Pharmacies whose last sale is more than a month before the period's last cheque."""
    if shop_table.empty or overview.last_date is None:
        return []
    last = shop_table["last_month"].max()
    return [row.shop for row in shop_table.itertuples() if row.last_month < last - pd.DateOffset(months=1)]


class PharmaciesService:
    """The tab's computation: the period's overview by pharmacy."""

    def __init__(self, analyses: Analyses):
        self.analyses = analyses

    def view(self, request: AnalysisRequest) -> PharmaciesView:
        """The tab's view model; RfmaError when the period has no cheque."""
        overview = self.analyses.overview(request)
        if overview.is_empty:
            raise RfmaError(NO_CHEQUES)
        table = overview.shop_table()
        return PharmaciesView(
            overview=overview,
            shop_table=table,
            closed_shops=closed_shops(overview, table),
            all_unidentified=overview.unidentified_cheques == overview.cheques,
            partial_months=monthly_partial(overview),
        )
