"""Tab «Финал»: regions, clusters and classes; the segment tree, its client list (table pages, summary, breakdown,
RFM scatter) and one client by card."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core import research as core_research
from core.client_filter import ClientFilter, sample_clients
from core.model import RfmaError
from core.overview import shop_sort_key
from core.segment_tree import ALL, Segment, breakdown, segment_tree
from core.segments import REGION_RECOMMENDATIONS
from core.summaries import class_counts, segment_summary
from dashboard import grid
from dashboard.services.access import Permission, allowed, mask_card, require
from dashboard.services.analysis import Analyses
from dashboard.services.request import AnalysisRequest


@dataclass(frozen=True, eq=False)
class FinalView:
    """Regions, clusters and the 108 classes of the period with the thresholds in force."""

    classes: pd.DataFrame
    clusters: pd.DataFrame
    regions: pd.DataFrame
    thresholds: dict[str, float]
    analysis_date: dt.date | None
    clients: int


CHEQUES_SHOWN = 20  # the client card's cheque table: the newest ones; the chart shows them all


@dataclass(frozen=True, eq=False)
class ClientCard:
    """One client's metrics and segments (None when the card is not an identified client), cheques and pharmacies,
    and the recommended action of their region."""

    card: str
    row: dict | None
    cheques: pd.DataFrame = field(repr=False)  # every cheque of the period, oldest first (the chart)
    latest: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # the newest CHEQUES_SHOWN, newest first
    shops: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # shop, cheques, revenue
    action: str | None = None  # what marketing should do with the client's region

    @property
    def cheque_count(self) -> int:
        return len(self.cheques)


@dataclass(frozen=True, eq=False)
class SelectionView:
    """The selected segment's client list as the tab summarises it."""

    segment: Segment
    clients: int
    revenue: float
    purchases: int
    share: float  # of the base's clients
    revenue_share: float  # of the base's revenue
    mean_recency_days: float | None
    mean_frequency: float | None
    mean_age_days: float | None
    breakdown: pd.DataFrame = field(repr=False)  # level, code, label, clients, revenue
    points: pd.DataFrame = field(repr=False)  # the scatter's clients (a sample above SCATTER_LIMIT)
    filters: tuple[str, ...] = ()  # the filters in force besides the segment, in words (shown next to the count)

    @property
    def avg_cheque(self) -> float | None:
        """Revenue per purchase of the selection."""
        return self.revenue / self.purchases if self.purchases else None


def _mean(series: pd.Series) -> float | None:
    return float(series.mean()) if len(series) else None


MAX_PAGE_ROWS = 500  # one block of the client table; the grid asks for 50 at a time


def check_card_filters(flt: ClientFilter) -> None:
    """A search by card number (the card field or the table's card column) needs a role that sees cards."""
    if flt.card or any(c.column == "card" for c in flt.columns):
        require(Permission.SEE_CARDS)


def masked(points: pd.DataFrame) -> pd.DataFrame:
    """Scatter points with their cards masked for a role that sees aggregates only."""
    if allowed(Permission.SEE_CARDS) or "card" not in points:
        return points
    return points.assign(card=points["card"].map(mask_card))


class FinalService:
    """The tab's computation on the kept classification of the request."""

    def __init__(self, analyses: Analyses):
        self.analyses = analyses

    @staticmethod
    def segment(node: str | None) -> Segment:
        """The segment of a tree node id ('all', 'w1', 'r110', 'c11', 'k1121'; None = all clients)."""
        return Segment.parse(node)

    @staticmethod
    def sunburst_target(node: str, current: str | None) -> str:
        """The node selected by a sunburst click: the clicked one, or its parent when the centre is clicked."""
        if node == (current or ALL):
            parent = Segment.parse(node).parent()
            return parent.node_id if parent else ALL
        return node

    @staticmethod
    def client_filter(selection, shops, r, f, m, a, card_text, filter_model: dict | None = None) -> ClientFilter:
        """The page's filter values (segment, pharmacies, grades, card text, the grid's filter model) as one filter."""
        return ClientFilter.build(
            selection or ALL,
            shops,
            {"r": r, "f": f, "m": m, "a": a},
            card_text,
            columns=grid.column_filters(filter_model or None),
        )

    def view(self, request: AnalysisRequest) -> FinalView:
        """Regions, clusters and classes (small, cached per request)."""
        return self.analyses.cache.get_or_compute(request.key("final"), lambda: self._view(request))

    def _view(self, request: AnalysisRequest) -> FinalView:
        classification = self.analyses.classification(request)
        clients = classification.clients
        thresholds = classification.thresholds
        return FinalView(
            classes=class_counts(clients),
            clusters=segment_summary(clients, "cluster"),
            regions=segment_summary(clients, "region"),
            thresholds=thresholds.as_dict() if thresholds else {},
            analysis_date=classification.base.analysis_date,
            clients=len(clients),
        )

    def client_card(self, request: AnalysisRequest, card: str) -> ClientCard:
        """One client's metrics, grades and segments, their cheques and pharmacies in the period, and their region's
        recommended action (a role that sees cards only)."""
        require(Permission.SEE_CARDS)
        card = (card or "").strip()
        if not card:
            raise RfmaError("Введите номер карты.")
        clients = self.analyses.classification(request).clients
        rows = clients[clients["card"] == card]
        cheques = self.analyses.cache.get_or_compute(
            request.key("cheques", card, pins=False),
            lambda: core_research.load_client_cheques(request.engine(), card, request.period, request.options),
        )
        row = rows.iloc[0].to_dict() if len(rows) else None
        if row is None and cheques.empty:
            raise RfmaError(f"Карта {card} не найдена среди идентифицированных клиентов выбранного периода.")
        return ClientCard(
            card,
            row,
            cheques,
            latest=core_research.latest_cheques(cheques, CHEQUES_SHOWN),
            shops=core_research.client_shops(cheques),
            action=REGION_RECOMMENDATIONS.get(int(row["region"])) if row is not None else None,
        )

    def segment_tree(self, request: AnalysisRequest) -> pd.DataFrame:
        """Warmth → region → cluster → class with client counts (small, cached per request)."""
        return self.analyses.cache.get_or_compute(
            request.key("segment_tree"), lambda: segment_tree(self.analyses.classification(request).clients)
        )

    def shop_names(self, request: AnalysisRequest) -> list[str]:
        """Pharmacies with identified sales in the period, in natural order."""
        return sorted(self.analyses.shop_clients(request)["shop"].unique(), key=shop_sort_key)

    def selection(self, request: AnalysisRequest, flt: ClientFilter) -> SelectionView:
        """Summary, breakdown and scatter points of the filtered selection (cards masked for a role without them)."""
        check_card_filters(flt)
        chosen = self.analyses.selection(request, flt)
        clients = chosen.clients
        segment = flt.segment_obj
        revenue = float(clients["revenue"].sum())
        return SelectionView(
            segment=segment,
            clients=len(clients),
            revenue=revenue,
            purchases=int(clients["purchases"].sum()),
            share=len(clients) / chosen.total_clients if chosen.total_clients else 0.0,
            revenue_share=revenue / chosen.total_revenue if chosen.total_revenue else 0.0,
            mean_recency_days=_mean(clients["recency_days"]),
            mean_frequency=_mean(clients["frequency"]),
            mean_age_days=_mean(clients["age_days"]),
            breakdown=breakdown(clients, segment),
            points=masked(sample_clients(clients)),
            filters=tuple(flt.describe()[1:]),  # the first line names the segment, already in the count line
        )

    def client_page(
        self, request: AnalysisRequest, flt: ClientFilter, start_row: int, end_row: int, sort: tuple
    ) -> tuple[list[dict], int]:
        """One block of the client table (server-side paging, at most MAX_PAGE_ROWS rows): the rows and the
        selection's row count."""
        check_card_filters(flt)
        start = max(0, int(start_row))
        end = min(max(start, int(end_row)), start + MAX_PAGE_ROWS)  # a request cannot ask for the whole base
        clients, order = self.analyses.ordered_positions(request, flt, sort)
        page = clients.take(order[start:end])  # copies the page rows only
        return grid.page_records(page, mask_cards=not allowed(Permission.SEE_CARDS)), len(order)
