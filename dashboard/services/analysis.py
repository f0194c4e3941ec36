"""The analyses every tab shares: the period's client base (SQL), its classification, overview and shop buyers.

The client base is cached apart from grading, so pinning a threshold re-grades from the cached base and never
re-runs SQL. Graded frames are kept in the worker's memory (see dashboard.services.cache).
"""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd

from core import client_filter
from core.classify import Classification, classify_base
from core.client_base import ClientBase, load_client_base
from core.model import RfmaError
from core.overview import Overview, load_overview
from core.periods import resolved_bounds
from dashboard.services.cache import SharedCache, WorkerMemory
from dashboard.services.request import AnalysisRequest

CLASSIFICATIONS_KEPT = 3  # per worker: e.g. suggested thresholds, one pinned variant, another period
ORDERS_KEPT = 3  # per kept classification: client-table row orders (filter × sort)


class Analyses:
    """Cached engine results per request; one per app."""

    def __init__(self, cache: SharedCache):
        self.cache = cache
        self._classifications = WorkerMemory(CLASSIFICATIONS_KEPT)
        # Row orders are positions into one classification's frame: they live and die with that very object
        # (a recomputed classification, even of the same request, gets orders of its own).
        self._orders: weakref.WeakKeyDictionary[Classification, WorkerMemory] = weakref.WeakKeyDictionary()
        self._orders_lock = threading.Lock()

    def client_base(self, request: AnalysisRequest) -> ClientBase:
        """The period's per-client aggregates and histograms (with shops per client, for the client table)."""
        return self.cache.get_or_compute(
            request.key("client_base", pins=False),
            lambda: load_client_base(request.engine(), request.period, request.options, with_shops=True),
        )

    def classification(self, request: AnalysisRequest) -> Classification:
        """Graded clients; RfmaError when the period has no identified client, ThresholdOrderError for bad pins."""
        return self._classifications.get_or_compute(request.key("classification"), lambda: self._classify(request))

    def _classify(self, request: AnalysisRequest) -> Classification:
        base = self.client_base(request)
        message = base.empty_message()
        if message:
            raise RfmaError(message)
        return classify_base(base, request.pins)

    def overview(self, request: AnalysisRequest) -> Overview:
        """Totals, monthly series and per-pharmacy figures of the period."""
        return self.cache.get_or_compute(
            request.key("overview", pins=False),
            lambda: load_overview(request.engine(), request.period, request.options),
        )

    def shop_clients(self, request: AnalysisRequest) -> pd.DataFrame:
        """(shop, card) pairs of the period: who bought where (for the pharmacy filter)."""
        return self.cache.get_or_compute(
            request.key("shop_clients", pins=False),
            lambda: client_filter.load_shop_clients(request.engine(), request.period, request.options),
        )

    def filtered_positions(
        self, request: AnalysisRequest, clients: pd.DataFrame, flt: client_filter.ClientFilter
    ) -> np.ndarray:
        """Positions of the clients passing the filter (ascending)."""
        shop_cards = self.shop_clients(request) if flt.shops else None
        return client_filter.filter_positions(clients, flt, shop_cards)

    def ordered_positions(
        self, request: AnalysisRequest, flt: client_filter.ClientFilter, sort: tuple[tuple[str, bool], ...]
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """(graded clients, positions of the filtered ones in the table's order): the positions index exactly that
        frame. This worker keeps the last few orders of each kept classification, so scrolling through a large
        selection sorts it once, not once per block."""
        classification = self.classification(request)
        clients = classification.clients
        with self._orders_lock:
            orders = self._orders.setdefault(classification, WorkerMemory(ORDERS_KEPT))

        def compute() -> np.ndarray:
            return client_filter.sort_positions(clients, self.filtered_positions(request, clients, flt), sort)

        return clients, orders.get_or_compute(("order", *flt.key(), repr(sort)), compute)

    @staticmethod
    def resolved_period(classification: Classification) -> tuple[str, str]:
        """The period as ISO dates, open bounds resolved to the first purchase / the analysis date."""
        first, last = resolved_bounds(classification.base)
        return first.isoformat(), last.isoformat()

    def selection(self, request: AnalysisRequest, flt: client_filter.ClientFilter) -> client_filter.Selection:
        """The clients passing the filter (filtered per request from the kept classification)."""
        classification = self.classification(request)
        clients = classification.clients
        chosen = clients.take(self.filtered_positions(request, clients, flt))
        date_from, date_to = self.resolved_period(classification)
        thresholds = classification.thresholds
        return client_filter.Selection(
            clients=chosen,
            flt=flt,
            date_from=date_from,
            date_to=date_to,
            analysis_date=classification.base.analysis_date,
            thresholds=thresholds.as_dict() if thresholds else {},
            total_clients=len(clients),
            total_revenue=float(clients["revenue"].sum()),
        )
