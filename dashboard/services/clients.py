"""Tab «Клиенты»: KPIs of the period, clients by number of pharmacies, new clients and cheques per month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core.messages import NO_CHEQUES
from core.model import RfmaError
from core.overview import Overview
from core.periods import partial_months
from dashboard.services.analysis import Analyses
from dashboard.services.request import AnalysisRequest


@dataclass(frozen=True, eq=False)
class ClientsView:
    """What the tab shows for one period."""

    overview: Overview
    clients: int
    multi_shop_share: float
    shops_per_client: pd.DataFrame  # shops, clients
    message: str | None = None
    partial_months: dict[dt.date, int] = field(default_factory=dict)  # month → days the period's data covers


class ClientsService:
    """The tab's computation: the overview and the client base of the period."""

    def __init__(self, analyses: Analyses):
        self.analyses = analyses

    def view(self, request: AnalysisRequest) -> ClientsView:
        """The tab's view model; RfmaError when the period has no cheque."""
        overview = self.analyses.overview(request)
        if overview.is_empty:
            raise RfmaError(NO_CHEQUES)
        base = self.analyses.client_base(request)
        clients = base.clients
        counts = clients["shops"].value_counts().sort_index() if not clients.empty else pd.Series(dtype="int64")
        shops = pd.DataFrame({"shops": counts.index.astype("int64"), "clients": counts.to_numpy(dtype="int64")})
        multi = float((clients["shops"] > 1).mean()) if len(clients) else 0.0
        partial = monthly_partial(overview)
        return ClientsView(overview, len(clients), multi, shops, base.empty_message(), partial)


def monthly_partial(overview: Overview) -> dict[dt.date, int]:
    """The months of the overview's monthly series that its first … last cheque covers only in part."""
    months = {pd.Timestamp(m).date() for m in overview.monthly["month"]} if len(overview.monthly) else set()
    return partial_months(sorted(months), overview.first_date, overview.last_date)
