"""Downloads of a selection: the streamed client-list CSV (kept under a short-lived token) and the segment report.

«Скачать CSV» checks the export's state and keeps it (the request, filter, sort and format) under a random token
for EXPORT_TTL seconds; GET download/clients.csv?token=… then streams the file in chunks from row positions,
in the client table's order, with no second copy of the table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from cachelib import SimpleCache

from core import formatting as fmt
from core import report as core_report
from core.client_filter import TABLE_COLUMNS, ClientFilter
from core.export import COLUMN_NAMES, CSV_FORMATS, client_list_filename, filters_file_part, iter_client_list_csv
from core.migration import Flow
from core.model import RfmaError
from dashboard.appdb.audit import DOWNLOAD, AuditLog
from dashboard.services.access import Permission, require
from dashboard.services.analysis import Analyses
from dashboard.services.cache import SharedCache
from dashboard.services.campaigns import CampaignExport, CampaignsService
from dashboard.services.cohorts import CohortsService, Pick
from dashboard.services.history import HistoryExport, HistoryService
from dashboard.services.migration import MigrationService
from dashboard.services.request import AnalysisRequest, Requests

EXPORT_KEY = "export:"
EXPORT_TTL = 600  # seconds a «Скачать CSV» link stays valid
MINUTES = ("минуту", "минуты", "минут")  # «действует 10 минут / 1 минуту»
EXPIRED = (
    f"Ссылка на файл устарела (она действует {fmt.count(EXPORT_TTL // 60, *MINUTES)}) или неверна. "
    "Вернитесь на вкладку «Финал», «Миграция» или «Когорты» и нажмите «Скачать CSV» ещё раз."
)


class ExportExpired(RfmaError):
    """A download link whose export state is unknown or expired."""


@dataclass(frozen=True)
class ClientListExport:
    """What a «Скачать CSV» link downloads: the request, the filter, the table's sort, the CSV format and the
    header row's names ("ru" = the table's Russian headers, "machine" = `rfma classify`'s names)."""

    request: AnalysisRequest
    flt: ClientFilter
    sort: tuple[tuple[str, bool], ...] = ()
    fmt: str = "excel"
    names: str = "ru"


@dataclass(frozen=True)
class FlowExport:
    """What a «Скачать CSV» link of «Миграция» downloads: one flow's clients across a bonus date."""

    request: AnalysisRequest
    bonus_date: dt.date
    flow: Flow
    sort: tuple[tuple[str, bool], ...] = ()
    fmt: str = "excel"
    names: str = "ru"


@dataclass(frozen=True)
class CohortPickExport:
    """What a «Скачать CSV» link of «Когорты» downloads: the clients of a clicked cell, band or bar."""

    request: AnalysisRequest
    pick: Pick
    sort: tuple[tuple[str, bool], ...] = ()
    fmt: str = "excel"
    names: str = "ru"


Export = ClientListExport | FlowExport | CohortPickExport | HistoryExport | CampaignExport


@dataclass(frozen=True)
class KeptExport:
    """An export kept under a token, with the login of the user who may download it."""

    owner: str
    export: Export


class ExportsService:
    """Client-list CSV files and segment reports of a filtered selection."""

    def __init__(
        self,
        analyses: Analyses,
        requests: Requests,
        cache: SharedCache,
        shared: bool = True,
        migration: MigrationService | None = None,
        audit: AuditLog | None = None,
        cohorts: CohortsService | None = None,
        history: HistoryService | None = None,
        campaigns: CampaignsService | None = None,
    ):
        self.audit = audit
        self.cohorts = cohorts or CohortsService(analyses)
        self.history = history
        self.campaigns = campaigns  # a campaign's target list and responders (dashboard.services.campaigns)
        self.analyses = analyses
        self.migration = migration or MigrationService(analyses)
        self.requests = requests
        # export tokens live in the shared cache (every worker sees them); in a process-local one with NullCache
        self._tokens: SharedCache | SimpleCache = cache if shared else SimpleCache(threshold=500)

    @property
    def source(self) -> str:
        """The current data source's name (never its URL), for the audit log."""
        return self.requests.source_name()

    def client_list(self, export: Export) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of the whole filtered selection (or migration flow) in the table's order.

        Errors of the state (period, pins, filters, format) are raised now; the sort runs when iteration starts.
        """
        if export.fmt not in CSV_FORMATS:
            raise RfmaError(f"неизвестный формат CSV {export.fmt!r}")
        if export.names not in COLUMN_NAMES:
            raise RfmaError(f"неизвестные названия столбцов {export.names!r}")
        if isinstance(export, CampaignExport) and self.campaigns is not None:
            return self.campaigns.csv(export)
        if isinstance(export, CohortPickExport):
            return self.cohorts.pick_csv(export.request, export.pick, export.sort, export.fmt, export.names)
        if isinstance(export, HistoryExport):
            if self.history is None:
                raise RfmaError("история сегментов недоступна")
            return self.history.csv(export)
        if isinstance(export, FlowExport):
            return self.migration.flow_csv(
                export.request, export.bonus_date, export.flow, export.sort, export.fmt, export.names
            )
        request, flt = export.request, export.flt
        classification = self.analyses.classification(request)
        self.analyses.filtered_positions(request, classification.clients, flt)  # a bad filter fails now
        date_from, date_to = self.analyses.resolved_period(classification)
        name = client_list_filename(flt.segment_obj.file_part(), date_from, date_to, filters_part=file_part(flt))

        def chunks() -> Iterator[bytes]:
            frame, ordered = self.analyses.ordered_positions(request, flt, export.sort)  # the table's order
            yield from iter_client_list_csv(frame, TABLE_COLUMNS, [], export.fmt, rows=ordered, names=export.names)

        # no '#' description lines: the file is a plain table (Excel, pd.read_csv); its name says what it holds
        return name, chunks()

    def keep_client_list(self, export: Export) -> tuple[str, str]:
        """Check the user's right and the export's state, and keep it for EXPORT_TTL seconds under a new token for
        this user only: (file name, token)."""
        identity = require(Permission.DOWNLOAD_CLIENTS)
        name, _ = self.client_list(export)
        token = secrets.token_urlsafe(24)
        self._tokens.set(EXPORT_KEY + token, KeptExport(identity.login, export), timeout=EXPORT_TTL)
        return name, token

    def kept_client_list(self, token: str) -> tuple[str, Iterator[bytes]]:
        """(file name, CSV chunks) of the export kept under `token` by the same user, on the data as it is now; the
        download goes into the audit log with its row count."""
        identity = require(Permission.DOWNLOAD_CLIENTS)
        kept = self._tokens.get(EXPORT_KEY + token)
        if not isinstance(kept, KeptExport) or kept.owner != identity.login:  # another session's link: unknown
            raise ExportExpired(EXPIRED)
        export = dataclasses.replace(kept.export, request=self.requests.refresh(kept.export.request))
        name, chunks = self.client_list(export)
        if self.audit is not None:
            source = self.requests.source_name(export.request)
            self.audit.record(identity.login, DOWNLOAD, name, rows=self.row_count(export), source=source)
        return name, chunks

    def row_count(self, export: Export) -> int:
        """How many clients the export's file holds."""
        if isinstance(export, CohortPickExport):
            return self.cohorts.pick_view(export.request, export.pick).listed
        if isinstance(export, HistoryExport):
            return self.history.row_count(export) if self.history is not None else 0
        if isinstance(export, CampaignExport) and self.campaigns is not None:
            return self.campaigns.row_count(export)
        if isinstance(export, FlowExport):
            return self.migration.flow_view(export.request, export.bonus_date, export.flow).clients
        clients = self.analyses.classification(export.request).clients
        return len(self.analyses.filtered_positions(export.request, clients, export.flt))

    def segment_report(self, request: AnalysisRequest, flt: ClientFilter, fmt: str = "html") -> tuple[str, str]:
        """(file name, text) of the segment report of the filtered selection."""
        chosen = self.analyses.selection(request, flt)
        segment = flt.segment_obj
        report = core_report.build_report(
            chosen.clients,
            date_from=chosen.date_from,
            date_to=chosen.date_to,
            analysis_date=chosen.analysis_date,
            thresholds=chosen.thresholds,
            filters=flt.describe(),
            title=f"Сегментация клиентов: {segment.label}",
        )
        name = client_list_filename(
            segment.file_part(),
            chosen.date_from,
            chosen.date_to,
            fmt,
            prefix="rfma_report",
            filters_part=file_part(flt),
        )
        return name, core_report.render(report, fmt)


def file_part(flt: ClientFilter) -> str:
    """The filters in force besides the segment, for file names (the card search without its digits)."""
    grades = {name: getattr(flt, name) for name in ("r", "f", "m", "a")}
    return filters_file_part(flt.shops, grades, bool(flt.card), len(flt.columns))
