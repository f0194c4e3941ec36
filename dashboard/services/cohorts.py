"""Tab «Когорты»: the cohort table of a segment (heatmap, LTV by cohort age), the Pareto curve and bands, the
client-base dynamics of the chain and each pharmacy, and the clients behind a clicked cell, band or bar (table
pages and the CSV)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import formatting as fmt
from core.client_filter import TABLE_COLUMNS, sort_positions
from core.cohorts import (
    CHAIN,
    DYNAMICS_CATEGORIES,
    PARETO_BANDS,
    Pareto,
    load_cohort_cards,
    load_cohorts,
    load_dynamics,
    load_dynamics_cards,
    load_pareto,
    load_pareto_band_cards,
    load_pareto_bands,
    ltv_by_age,
    month_end,
    month_index,
    month_label,
    month_start,
)
from core.export import client_list_filename, iter_client_list_csv
from core.model import RfmaError
from core.periods import resolved_bounds
from core.segment_tree import ALL, Segment, segment_tree
from dashboard import grid
from dashboard.services.access import Permission, allowed
from dashboard.services.analysis import Analyses
from dashboard.services.cache import WorkerMemory
from dashboard.services.campaigns import ResolvedSelection
from dashboard.services.request import AnalysisRequest

METRICS = ("retention", "active_clients", "revenue", "avg_cheque", "ltv")
SIZE = "size"  # the heatmap's column of cohort sizes: a click there opens the whole cohort
CATEGORY_NAMES = {
    "active": "активные",
    "new": "новые",
    "one_time": "разовые",
    "repeat": "повторные",
    "lapsed": "ушедшие",
}
PICKS_KEPT = 4  # per worker: the cards and table orders of the last clicked cells, bands and bars
MAX_PAGE_ROWS = 500


def band_label(band: int) -> str:
    """'топ 20 % клиентов', '20–40 % клиентов', … (the Pareto bands by revenue rank)."""
    low, high = PARETO_BANDS[band - 1]
    return f"топ {high} % клиентов" if low == 0 else f"{low}–{high} % клиентов"


@dataclass(frozen=True)
class Pick:
    """What a click opens: a heatmap cell (cohort, k or the cohort's size) of a segment, a Pareto band or a dynamics
    bar (month × pharmacy × category). Its key ('cell|r110|2024-02|3', 'cell|all|2024-02|size', 'band|1',
    'bar|2024-03|Аптека 1|new') travels through the page; no card number is ever part of it."""

    kind: str
    segment: str = ALL
    month: int = 0  # the cohort (cell) or the month (bar), a month index
    months_since: int | None = None  # None: the whole cohort
    band: int = 0
    shop: str = CHAIN
    category: str = "active"

    @property
    def key(self) -> str:
        if self.kind == "cell":
            k = SIZE if self.months_since is None else str(self.months_since)
            return f"cell|{self.segment}|{month_label(self.month)}|{k}"
        if self.kind == "band":
            return f"band|{self.band}"
        return f"bar|{month_label(self.month)}|{self.shop}|{self.category}"

    @classmethod
    def parse(cls, key: object) -> Pick:
        """The pick of a key; RfmaError for anything else."""
        bad = RfmaError(f"неизвестный выбор {str(key)[:60]!r}")
        if not isinstance(key, str):
            raise bad
        parts = key.split("|")
        try:
            if parts[0] == "cell" and len(parts) == 4:
                k = None if parts[3] == SIZE else int(parts[3])
                if k is not None and k < 0:
                    raise bad
                return cls("cell", Segment.parse(parts[1]).node_id, _month(parts[2]), k)
            if parts[0] == "band" and len(parts) == 2 and 1 <= int(parts[1]) <= len(PARETO_BANDS):
                return cls("band", band=int(parts[1]))
            if parts[0] == "bar" and len(parts) == 4 and parts[3] in DYNAMICS_CATEGORIES and parts[2]:
                return cls("bar", month=_month(parts[1]), shop=parts[2], category=parts[3])
        except (ValueError, RfmaError):
            raise bad from None
        raise bad

    @property
    def label(self) -> str:
        """What the pick is, in words."""
        if self.kind == "cell":
            segment = Segment.parse(self.segment)
            where = "" if segment.level == "all" else f" ({segment.label})"
            if self.months_since is None:
                return f"Когорта {month_label(self.month)}{where}: все клиенты когорты"
            bought = month_label(self.month + self.months_since)
            return f"Когорта {month_label(self.month)}{where}, месяц {self.months_since}: купили в {bought}"
        if self.kind == "band":
            return f"Парето: {band_label(self.band)} по выручке"
        return f"Динамика базы, {self.shop}, {month_label(self.month)}: {CATEGORY_NAMES[self.category]}"

    def file_part(self) -> str:
        """For file names, e.g. 'когорта_2024-02_м3', 'парето_топ_20', 'динамика_2024-03_Аптека_1_новые'."""
        if self.kind == "cell":
            segment = "" if self.segment == ALL else f"_{Segment.parse(self.segment).file_part()}"
            k = "все" if self.months_since is None else f"м{self.months_since}"
            return f"когорта_{month_label(self.month)}_{k}{segment}"
        if self.kind == "band":
            low, high = PARETO_BANDS[self.band - 1]
            return f"парето_{low}-{high}"
        shop = "_".join(self.shop.split())
        return f"динамика_{month_label(self.month)}_{shop}_{CATEGORY_NAMES[self.category]}"


def _month(text: str) -> int:
    """A 'YYYY-MM' month as its index (ValueError otherwise)."""
    return month_index(dt.date.fromisoformat(f"{text}-01"))


@dataclass(frozen=True, eq=False)
class CohortsView:
    """The cohort table of one segment: the cells (core.cohorts.CELL_COLUMNS), the LTV curves by cohort age."""

    segment: Segment
    analysis_date: dt.date | None
    start: dt.date | None
    cells: pd.DataFrame
    ltv: pd.DataFrame
    partial_days: int | None  # days of month(T) in the data when T is not its last day

    @property
    def is_empty(self) -> bool:
        return self.cells.empty


@dataclass(frozen=True, eq=False)
class ParetoView:
    """The Pareto figures and curve of the period's clients, and the bands a click opens."""

    pareto: Pareto
    bands: pd.DataFrame  # band, low, high, clients, revenue, revenue_share


@dataclass(frozen=True, eq=False)
class DynamicsView:
    """The client-base dynamics of the chain and each pharmacy, with the churn period r3 in force."""

    rows: pd.DataFrame  # core.cohorts.DYNAMICS_COLUMNS, month as an index
    churn_days: int
    shops: tuple[str, ...]  # CHAIN first, then each pharmacy
    partial_days: int | None

    def of(self, shop: str) -> pd.DataFrame:
        """The rows of one scope (CHAIN or a pharmacy), in month order."""
        return self.rows[self.rows["shop"] == shop].sort_values("month").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class PickView:
    """The count line of a pick's clients: how many, how many are in the table, their revenue in the period."""

    pick: Pick
    clients: int
    listed: int
    revenue: float


def _partial_days(analysis_date: dt.date | None) -> int | None:
    if analysis_date is None or analysis_date == month_end(month_index(analysis_date)):
        return None
    return (analysis_date - month_start(month_index(analysis_date))).days + 1


class CohortsService:
    """The tab's computation: SQL results cached per request (and segment), picks kept in this worker's memory."""

    def __init__(self, analyses: Analyses):
        self.analyses = analyses
        self._cards = WorkerMemory(PICKS_KEPT)
        self._orders = WorkerMemory(PICKS_KEPT)

    @staticmethod
    def segment(node: str | None) -> Segment:
        """The segment of a tree node id ('all', 'w1', 'r110', 'c11', 'k1121'; None = all clients)."""
        return Segment.parse(node)

    @staticmethod
    def pick(key: object) -> Pick:
        """The pick of a clicked element's key; RfmaError for anything else."""
        return Pick.parse(key)

    def segment_tree(self, request: AnalysisRequest) -> pd.DataFrame:
        """Warmth → region → cluster → class with client counts of the period's classification (as «Финал»'s)."""
        return self.analyses.cache.get_or_compute(
            request.key("segment_tree"), lambda: segment_tree(self.analyses.classification(request).clients)
        )

    def _segment_cards(self, request: AnalysisRequest, segment: Segment) -> list[str] | None:
        """The cards of a segment of the period's classification (None: every client, no classification needed)."""
        if segment.level == "all":
            return None
        clients = self.analyses.classification(request).clients
        return clients["card"][segment.mask(clients).to_numpy()].astype(str).tolist()

    def cohorts(self, request: AnalysisRequest, segment: Segment) -> CohortsView:
        """The cohort table of a segment (the threshold set in force decides a segment's clients; all clients'
        table does not depend on it)."""
        key = request.key("cohorts", segment.node_id, pins=segment.level != "all")
        return self.analyses.cache.get_or_compute(key, lambda: self._cohorts(request, segment))

    def _cohorts(self, request: AnalysisRequest, segment: Segment) -> CohortsView:
        cohorts = load_cohorts(request.engine(), request.period, request.options, self._segment_cards(request, segment))
        return CohortsView(
            segment,
            cohorts.analysis_date,
            cohorts.start,
            cohorts.cells,
            ltv_by_age(cohorts.cells, cohorts.analysis_date),
            _partial_days(cohorts.analysis_date),
        )

    def pareto(self, request: AnalysisRequest) -> ParetoView:
        """The period's Pareto figures, curve and bands (every client of the period)."""

        def compute() -> ParetoView:
            engine = request.engine()
            return ParetoView(
                load_pareto(engine, request.period, request.options),
                load_pareto_bands(engine, request.period, request.options),
            )

        return self.analyses.cache.get_or_compute(request.key("pareto", pins=False), compute)

    def churn_days(self, request: AnalysisRequest) -> int:
        """r3 of the threshold set in force (the chain's or the user's draft)."""
        thresholds = self.analyses.classification(request).thresholds
        if thresholds is None:
            raise RfmaError("Пороги не определены: в периоде нет клиентов с картой.")
        return int(thresholds.r3)

    def dynamics(self, request: AnalysisRequest) -> DynamicsView:
        """The client-base dynamics of the chain and every pharmacy at r3 in force."""
        churn = self.churn_days(request)

        def compute() -> DynamicsView:
            result = load_dynamics(request.engine(), churn, request.period, request.options)
            shops = tuple(dict.fromkeys([CHAIN, *result.rows["shop"].astype(str)]))
            return DynamicsView(result.rows, churn, shops, _partial_days(result.analysis_date))

        return self.analyses.cache.get_or_compute(request.key("dynamics", churn, pins=False), compute)

    # --- the clients of a pick ---------------------------------------------------------------------------------

    def pick_cards(self, request: AnalysisRequest, pick: Pick) -> list[str]:
        """The cards behind a pick (SQL), kept in this worker's memory."""
        churn = self.churn_days(request) if pick.kind == "bar" else None
        pins = pick.kind == "cell" and pick.segment != ALL
        key = request.key("cohort_pick", pick.key, churn, pins=pins)
        return self._cards.get_or_compute(key, lambda: self._load_cards(request, pick, churn))

    def _load_cards(self, request: AnalysisRequest, pick: Pick, churn: int | None) -> list[str]:
        engine, period, options = request.engine(), request.period, request.options
        if pick.kind == "cell":
            cards = self._segment_cards(request, Segment.parse(pick.segment))
            return load_cohort_cards(engine, pick.month, pick.months_since, period, options, cards)
        if pick.kind == "band":
            return load_pareto_band_cards(engine, pick.band, period, options)
        return load_dynamics_cards(engine, int(churn or 0), pick.month, pick.shop, pick.category, period, options)

    def _ordered(self, request: AnalysisRequest, pick: Pick, sort: tuple) -> tuple[pd.DataFrame, np.ndarray, int]:
        """(graded clients of the period, positions of the pick's clients among them in the table's order, how many
        clients the pick holds). A client without a purchase in the period has no row there (see DECISIONS)."""
        cards = self.pick_cards(request, pick)
        clients = self.analyses.classification(request).clients

        def compute() -> np.ndarray:
            found = pd.Index(clients["card"].astype(str)).get_indexer(pd.Index(cards))
            return sort_positions(clients, np.sort(found[found >= 0]), sort)

        # positions index this very frame: a recomputed classification (another object) gets orders of its own
        key = request.key("cohort_pick_order", pick.key, repr(sort), id(clients))
        order = self._orders.get_or_compute(key, compute)
        return clients, order, len(cards)

    def pick_view(self, request: AnalysisRequest, pick: Pick) -> PickView:
        """How many clients a pick holds, how many are listed, and the listed clients' revenue in the period."""
        clients, order, total = self._ordered(request, pick, ())
        return PickView(pick, total, len(order), float(clients["revenue"].to_numpy()[order].sum()))

    def pick_page(
        self, request: AnalysisRequest, pick: Pick, start_row: int, end_row: int, sort: tuple
    ) -> tuple[list[dict], int]:
        """One block of the pick's client table (at most MAX_PAGE_ROWS rows) and its row count; cards masked for a
        role that may not see them."""
        clients, order, _ = self._ordered(request, pick, sort)
        start = max(0, int(start_row))
        end = min(max(start, int(end_row)), start + MAX_PAGE_ROWS)
        rows = clients.take(order[start:end])
        return grid.page_records(rows, TABLE_COLUMNS, mask_cards=not allowed(Permission.SEE_CARDS)), len(order)

    def pick_csv(
        self, request: AnalysisRequest, pick: Pick, sort: tuple = (), fmt: str = "excel", names: str = "ru"
    ) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of the pick's clients in the table's order, «Финал»'s columns."""
        clients, order, _ = self._ordered(request, pick, sort)
        first, last = (d.isoformat() for d in resolved_bounds(self.analyses.classification(request).base))
        chunks = iter_client_list_csv(clients, TABLE_COLUMNS, [], fmt, rows=order, names=names)
        return client_list_filename(pick.file_part(), first, last), chunks

    def pick_members(self, request: AnalysisRequest, pick: Pick) -> ResolvedSelection:
        """«Создать кампанию» on a pick: its clients as the table lists them (those of the period's classification),
        t0 = the period's analysis date T, the pick and the period in words."""
        clients, order, _ = self._ordered(request, pick, ())
        base = self.analyses.classification(request).base
        if base.analysis_date is None:
            raise RfmaError("В периоде нет чеков: кампанию не из чего составить.")
        first, last = resolved_bounds(base)
        cards = clients["card"].astype(str).to_numpy()[np.sort(order)].tolist()
        description = f"«Когорты»: {pick.label}; период {fmt.date(first)} — {fmt.date(last)}"
        return ResolvedSelection(cards, base.analysis_date, description)

    def campaign_selection(self, request: AnalysisRequest, pick: Pick) -> CohortPickSelection:
        """The pick as «Создать кампанию»'s selection (resolved on the server when the campaign is created)."""
        return CohortPickSelection(request, pick, self)


@dataclass(frozen=True)
class CohortPickSelection:
    """«Когорты»' selection for «Создать кампанию»: a clicked cell's, band's or bar's clients."""

    request: AnalysisRequest
    pick: Pick
    service: CohortsService = field(compare=False, repr=False)

    def resolve(self, analyses: Analyses) -> ResolvedSelection:
        """The pick's listed clients, t0 = the period's T, the pick in words."""
        return self.service.pick_members(self.request, self.pick)


def headline_top20(share: float | None) -> str:
    """«20% клиентов приносят 64,1 % выручки» (the first Pareto figure in words)."""
    if share is None:
        return f"{fmt.percent(0.2, 0)} клиентов: выручки в периоде нет"
    return f"{fmt.percent(0.2, 0)} клиентов приносят {fmt.percent(share)} выручки"


def headline_80(share: float | None) -> str:
    """«80 % выручки приносят 37,5 % клиентов» (the second Pareto figure in words)."""
    if share is None:
        return f"{fmt.percent(0.8, 0)} выручки: выручки в периоде нет"
    return f"{fmt.percent(0.8, 0)} выручки приносят {fmt.percent(share)} клиентов"
