"""The services of the dashboard: one per tab (the only callers of `core` for that tab) and the shared pieces
(request, cache, engines, exports, the application database's threshold sets). `build_services` wires them for
one app; callbacks receive them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_caching import Cache

from dashboard.appdb import AuditLog, Campaigns, ThresholdSets, Users, app_engine
from dashboard.services.analysis import Analyses
from dashboard.services.cache import SharedCache
from dashboard.services.campaigns import CampaignsService
from dashboard.services.clients import ClientsService
from dashboard.services.cohorts import CohortsService
from dashboard.services.engines import SourceReader
from dashboard.services.exports import ExportsService
from dashboard.services.final import FinalService
from dashboard.services.history import HistoryService
from dashboard.services.migration import MigrationService
from dashboard.services.pharmacies import PharmaciesService
from dashboard.services.request import Requests
from dashboard.services.shell import ShellService
from dashboard.services.sources import Sources
from dashboard.services.tables import TablesService
from dashboard.services.thresholds import ThresholdsService
from dashboard.services.workbook import TableDownloads, WorkbookService
from dashboard.settings import Settings

EXTENSION_KEY = "rfma_services"


@dataclass(frozen=True, eq=False)
class Services:
    """Everything the callbacks of one app call."""

    settings: Settings
    sources: Sources
    requests: Requests
    users: Users
    audit: AuditLog
    analyses: Analyses
    shell: ShellService
    clients: ClientsService
    pharmacies: PharmaciesService
    thresholds: ThresholdsService
    final: FinalService
    migration: MigrationService
    cohorts: CohortsService
    exports: ExportsService
    tables: TablesService
    workbook: WorkbookService
    downloads: TableDownloads
    history: HistoryService
    campaigns: CampaignsService

    @property
    def source(self) -> SourceReader:
        """The reader of the current request's data source (outside a request: the default source's)."""
        return self.sources.current().reader

    @property
    def threshold_sets(self) -> ThresholdSets:
        """The chain's threshold sets of the current request's data source."""
        return self.sources.current().sets


def build_services(settings: Settings, cache: Cache) -> Services:
    """The services of one app, sharing its cache."""
    shared = SharedCache(cache, settings.cache_dir if settings.cache_type == "FileSystemCache" else None)
    sources = Sources(settings, shared)
    requests = Requests(settings, sources)
    analyses = Analyses(shared)
    migration = MigrationService(analyses)
    cohorts = CohortsService(analyses)
    audit = AuditLog(app_engine(settings.app_database_url))
    history = HistoryService(analyses, app_engine(settings.app_database_url), audit, requests.source_name)
    clients, pharmacies = ClientsService(analyses), PharmaciesService(analyses)
    thresholds, final = ThresholdsService(analyses, sources, audit), FinalService(analyses)
    tables = TablesService(clients, pharmacies, thresholds, final, migration)
    workbook = WorkbookService(tables, analyses, thresholds, requests.source_name)
    campaigns = CampaignsService(
        analyses, Campaigns(app_engine(settings.app_database_url)), audit, requests.source_name
    )
    return Services(
        settings=settings,
        sources=sources,
        requests=requests,
        users=Users(app_engine(settings.app_database_url)),
        audit=audit,
        analyses=analyses,
        shell=ShellService(sources),
        clients=clients,
        pharmacies=pharmacies,
        thresholds=thresholds,
        final=final,
        migration=migration,
        cohorts=cohorts,
        exports=ExportsService(
            analyses,
            requests,
            shared,
            shared=settings.cache_type != "NullCache",
            migration=migration,
            audit=audit,
            cohorts=cohorts,
            history=history,
            campaigns=campaigns,
        ),
        tables=tables,
        workbook=workbook,
        downloads=TableDownloads(tables, workbook, audit, requests.source_name),
        history=history,
        campaigns=campaigns,
    )
