"""Campaigns (SPEC §9): «Создать кампанию» from any tab's selection and tab «Кампании» (the list, each campaign's
measured effect, its responders).

A selection is resolved to member cards here, on the server (the browser never holds cards): «Финал» passes its
request and filter (`FinalSelection`); another tab passes its own `CampaignSelection` (an object whose
`resolve(analyses)` gives the cards, the start date t0 and the selection in words).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from core import formatting as fmt
from core.campaigns import (
    CONTROL,
    DEFAULT_CONTROL_SHARE,
    DEFAULT_WINDOW_DAYS,
    TARGET,
    CampaignEffect,
    latest_cheque_date,
    load_campaign_effect,
)
from core.client_filter import ClientFilter, sort_positions
from core.export import iter_client_list_csv
from core.model import RfmaError
from dashboard import grid
from dashboard.appdb.audit import AuditLog
from dashboard.appdb.campaigns import (
    CAMPAIGN_CREATED,
    STATUS_NAMES,
    Campaign,
    Campaigns,
    make_campaign,
    window_status,
)
from dashboard.appdb.database import source_key
from dashboard.services.access import Permission, allowed, require
from dashboard.services.analysis import Analyses
from dashboard.services.request import AnalysisRequest

RESPONDER_COLUMNS = ["card", "group", "purchases", "revenue"]
GROUP_NAMES = {TARGET: "целевая", CONTROL: "контрольная"}
GROUP_HEADER = "Группа"
MAX_PAGE_ROWS = 500
REPORTS_KEPT = 300  # seconds a campaign's report stays in the shared cache (the data version is in its key)


@dataclass(frozen=True)
class ResolvedSelection:
    """A selection's member cards, its classification's analysis date (t0) and the selection in words."""

    cards: list[str] = field(repr=False)
    start_date: dt.date
    description: str


class CampaignSelection(Protocol):
    """What «Создать кампанию» is made from: any tab's selection that the server turns into member cards."""

    @property
    def request(self) -> AnalysisRequest:
        """The selection's request (its data source; read-only, so frozen dataclasses conform)."""

    def resolve(self, analyses: Analyses) -> ResolvedSelection:
        """The member cards, t0 and the selection in words."""


@dataclass(frozen=True)
class FinalSelection:
    """«Финал»'s selection: the segment and filters of the request's classification."""

    request: AnalysisRequest
    flt: ClientFilter

    def resolve(self, analyses: Analyses) -> ResolvedSelection:
        """The filtered clients of the classification, t0 = its analysis date."""
        chosen = analyses.selection(self.request, self.flt)
        if chosen.analysis_date is None:
            raise RfmaError("В периоде нет чеков: кампанию не из чего составить.")
        thresholds = ", ".join(
            f"{name} = {fmt.threshold_plain(value).replace('.', ',')}" for name, value in chosen.thresholds.items()
        )
        parts = [
            f"период {fmt.date(chosen.date_from)} — {fmt.date(chosen.date_to)}",
            f"пороги: {thresholds}",
            *self.flt.describe(),
        ]
        return ResolvedSelection(chosen.clients["card"].astype(str).tolist(), chosen.analysis_date, "; ".join(parts))


@dataclass(frozen=True)
class CreatedCampaign:
    """A stored campaign and its target list's file name."""

    campaign: Campaign
    file_name: str


@dataclass(frozen=True)
class CampaignExport:
    """What a campaign's «Скачать CSV» link downloads: its target list or its responders."""

    request: AnalysisRequest
    name: str
    kind: str = "target"  # 'target' or 'responders'
    sort: tuple[tuple[str, bool], ...] = ()
    fmt: str = "excel"
    names: str = "ru"


@dataclass(frozen=True)
class CampaignRow:
    """One line of the campaign list."""

    campaign: Campaign
    status: str

    @property
    def status_name(self) -> str:
        """The status in words."""
        return STATUS_NAMES[self.status]


@dataclass(frozen=True, eq=False)
class CampaignReport:
    """One campaign and its measured effect."""

    campaign: Campaign
    status: str
    effect: CampaignEffect
    other_source: bool = False

    @property
    def verdict(self) -> str:
        """«эффект доказан» / «не доказан: интервал включает ноль» (or why it cannot be told yet)."""
        if self.effect.response_rate_ci is None:
            return "не доказан: в одной из групп нет клиентов"
        if self.effect.proven:
            return "эффект доказан"
        if self.effect.response_rate_ci[1] < 0:
            return "не доказан: интервал ниже нуля — у целевой группы отклик хуже контрольной"
        return "не доказан: интервал включает ноль"


class CampaignsService:
    """Create campaigns from selections, list them, measure them (cached per data version), their CSV files."""

    def __init__(self, analyses: Analyses, store: Campaigns, audit: AuditLog | None, source_name):
        self.analyses = analyses
        self.store = store
        self.audit = audit
        self.source_name = source_name  # request → the data source's name (never its URL), for the audit log

    # --- the form -----------------------------------------------------------------------------------------------

    def global_share(self) -> float:
        """The programme's global control share (0: none)."""
        return self.store.global_share()

    def global_note(self) -> str:
        """The form's line about the global control group."""
        g = self.global_share()
        if g <= 0:
            return "Глобальная контрольная группа не задана (rfma campaign global-control G)."
        return (
            f"Глобальная контрольная группа: {fmt.percent(g)} клиентов программы никогда не попадают в целевую "
            "группу — они всегда в контрольной."
        )

    @staticmethod
    def parse_form(name: object, control_percent: object, window: object) -> tuple[str, float, int]:
        """(name, control share p, window W) of the form's values; RfmaError naming a bad one."""
        text = " ".join(str(name or "").split())
        if not text:
            raise RfmaError("Введите название кампании.")
        try:
            percent = float(str(control_percent).replace(",", ".")) if control_percent not in (None, "") else None
        except ValueError:
            percent = None
        if percent is None or not 0 < percent < 50:
            raise RfmaError("Доля контрольной группы — число процентов больше 0 и меньше 50 (например 10).")
        try:
            days = int(str(window)) if window not in (None, "") else DEFAULT_WINDOW_DAYS
        except ValueError:
            raise RfmaError("Окно замера — целое число дней (например 30).") from None
        return text, percent / 100, days

    def create(
        self, selection: CampaignSelection, name: str, control_share: float, window_days: int
    ) -> CreatedCampaign:
        """Store a campaign of the selection's clients and keep its target list for download at once (a manager
        or an administrator; the audit log records it). Nothing is stored when anything is refused."""
        identity = require(Permission.CREATE_CAMPAIGN)
        require(Permission.DOWNLOAD_CLIENTS)
        resolved = selection.resolve(self.analyses)
        campaign, members = make_campaign(
            self.store,
            name,
            source_key(selection.request.database_url),
            resolved.description,
            resolved.start_date,
            resolved.cards,
            control_share,
            window_days,
            identity.login,
        )
        target = int((members["group"] == TARGET).sum())
        if self.audit is not None:
            self.audit.record(
                identity.login,
                CAMPAIGN_CREATED,
                f"кампания «{campaign.name}»: {resolved.description}",
                rows=target,
                source=self.source_name(selection.request),
            )
        return CreatedCampaign(campaign, self.file_name(campaign, "target"))

    # --- the tab ------------------------------------------------------------------------------------------------

    def rows(self, request: AnalysisRequest) -> list[CampaignRow]:
        """The campaigns of the request's data source, newest first, with their window's status."""
        last = latest_cheque_date(request.engine())
        return [CampaignRow(c, window_status(c, last)) for c in self.store.all(source_key(request.database_url))]

    def campaign(self, name: object) -> Campaign:
        """The stored campaign of this name; RfmaError when there is none."""
        found = self.store.get(str(name or ""))
        if found is None:
            raise RfmaError("Выберите кампанию в списке.")
        return found

    def report(self, request: AnalysisRequest, name: object) -> CampaignReport:
        """A campaign's effect on the request's data (cached per data version)."""
        campaign = self.campaign(name)
        return self.analyses.cache.get_or_compute(
            request.key("campaign_report", campaign.id, campaign.name, pins=False),
            lambda: self._report(request, campaign),
        )

    def _report(self, request: AnalysisRequest, campaign: Campaign) -> CampaignReport:
        engine = request.engine()
        effect = load_campaign_effect(
            engine, self.store.members(campaign.id), campaign.start_date, campaign.window_days, request.options
        )
        status = window_status(campaign, effect.window.last_cheque)
        return CampaignReport(campaign, status, effect, campaign.source != source_key(request.database_url))

    def responders(self, request: AnalysisRequest, name: object, sort: tuple = ()) -> pd.DataFrame:
        """The responders (card, group in words, purchases, revenue) in the asked order (revenue descending)."""
        table = self.report(request, name).effect.responders()
        table = table.assign(group=table["group"].map(GROUP_NAMES))
        order = sort_positions(table, np.arange(len(table)), sort, RESPONDER_COLUMNS) if sort else None
        return table if order is None else table.take(order).reset_index(drop=True)

    def responders_page(
        self, request: AnalysisRequest, name: object, start_row: int, end_row: int, sort: tuple
    ) -> tuple[list[dict], int]:
        """One block of the responders' table (cards masked for a role without them)."""
        table = self.responders(request, name, sort)
        start = max(0, int(start_row))
        end = min(max(start, int(end_row)), start + MAX_PAGE_ROWS)
        rows = table.iloc[start:end]
        return grid.page_records(rows, RESPONDER_COLUMNS, mask_cards=not allowed(Permission.SEE_CARDS)), len(table)

    # --- files --------------------------------------------------------------------------------------------------

    @staticmethod
    def file_name(campaign: Campaign, kind: str) -> str:
        """rfma_campaign_<name>_target_<t0>.csv / …_responders_<t0>_<window end>.csv (unsafe characters as '_')."""
        safe = "_".join("".join(" " if c in '/\\:*?"<>|' else c for c in campaign.name).split())
        what = "target" if kind == "target" else f"responders_{campaign.full_end.isoformat()}"
        return f"rfma_campaign_{safe}_{what}_{campaign.start_date.isoformat()}.csv"

    def csv(self, export: CampaignExport) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of a campaign's target list (the frozen target group) or its responders."""
        campaign = self.campaign(export.name)
        if export.kind == "target":
            members = self.store.members(campaign.id)
            table = members[members["group"] == TARGET].reset_index(drop=True)[["card"]]
            return self.file_name(campaign, "target"), iter_client_list_csv(
                table, ["card"], [], export.fmt, names=export.names
            )
        if export.kind != "responders":
            raise RfmaError(f"неизвестный список кампании {export.kind!r}")
        table = self.responders(export.request, campaign.name, export.sort)
        columns = list(RESPONDER_COLUMNS)
        if export.names == "ru":  # the group's header in Russian (the others are the client table's)
            table, columns[1] = table.rename(columns={"group": GROUP_HEADER}), GROUP_HEADER
        return self.file_name(campaign, "responders"), iter_client_list_csv(
            table, columns, [], export.fmt, names=export.names
        )

    def row_count(self, export: CampaignExport) -> int:
        """How many clients the export's file holds."""
        campaign = self.campaign(export.name)
        if export.kind == "target":
            return campaign.target_clients
        return len(self.report(export.request, campaign.name).effect.responders())


__all__ = [
    "DEFAULT_CONTROL_SHARE",
    "CampaignExport",
    "CampaignReport",
    "CampaignRow",
    "CampaignSelection",
    "CampaignsService",
    "CreatedCampaign",
    "FinalSelection",
    "ResolvedSelection",
]
