"""One analysis request: which database (and the version of its data), the period, the options and the pins in
force (the user's draft, else the chain's threshold set).

Callbacks build it once from the page's inputs (`Requests.build`); every service takes it and every cached
result is kept under the key the request builds itself (`AnalysisRequest.key`), so a key is never assembled
by hand from positional primitives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlalchemy as sa

from core.messages import EMPTY_DATABASE
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins
from dashboard.services.engines import dashboard_engine
from dashboard.services.sources import Sources
from dashboard.settings import Settings


@dataclass(frozen=True)
class AnalysisRequest:
    """Everything that decides an analysis' result; frozen, hashable and picklable."""

    database_url: str
    data_version: str
    read_only: bool
    period: Period
    options: AnalysisOptions = AnalysisOptions()
    pins: ThresholdPins = ThresholdPins()

    def data_key(self) -> tuple:
        """Primitive key of the data this request reads: database, data version, period and options."""
        return (self.database_url, self.data_version, self.read_only, *self.period.key(), *self.options.key())

    def key(self, name: str, *extra: str | int | float | None, pins: bool = True) -> tuple:
        """The cache key of one result: its name, the data key, the pins (unless `pins=False`) and `extra`."""
        return (name, *self.data_key(), *(self.pins.key() if pins else ()), *extra)

    def engine(self) -> sa.Engine:
        """The engine of the request's database."""
        return dashboard_engine(self.database_url, self.read_only)

    def with_period(self, date_from: dt.date | None, date_to: dt.date | None) -> AnalysisRequest:
        """The same request for another period."""
        return replace(self, period=Period(date_from, date_to))

    def with_pins(self, pins: ThresholdPins) -> AnalysisRequest:
        """The same request with other pinned thresholds."""
        return replace(self, pins=pins)


def iso_date(value: object) -> str | None:
    """A date picker's value (ISO date or datetime string, or None) as 'YYYY-MM-DD' or None."""
    if value is None or value == "":
        return None
    return str(value)[:10]


class Requests:
    """Builds requests from the page's inputs against the current data source's data version and threshold set."""

    def __init__(self, settings: Settings, sources: Sources):
        self.settings = settings
        self.sources = sources

    def build(self, date_from: object, date_to: object, draft: dict | None = None) -> AnalysisRequest:
        """A request for the period on the user's current data source, with the user's draft pins, or the source's
        chain threshold set when there is no draft (None); RfmaError for a bad period, bad pins or an empty
        database (AccessDenied when the user is granted no source)."""
        period = Period.parse(iso_date(date_from), iso_date(date_to))
        current = self.sources.current()
        thresholds = current.sets.current_pins() if draft is None else ThresholdPins.from_mapping(draft)
        source = current.reader.read()
        if source.cheques == 0:
            raise RfmaError(EMPTY_DATABASE)
        s = self.settings
        options = AnalysisOptions(card_pattern=s.card_pattern, amount_column=s.amount_column)
        return AnalysisRequest(current.url, source.version, s.duckdb_read_only, period, options, thresholds)

    def refresh(self, request: AnalysisRequest) -> AnalysisRequest:
        """A kept request against its source's data as it is now (a download started minutes after its link was
        made); AccessDenied when the user is no longer granted that source."""
        source = self.sources.check(request.database_url).reader.read()
        if source.cheques == 0:
            raise RfmaError(EMPTY_DATABASE)
        return replace(request, data_version=source.version)

    def source_name(self, request: AnalysisRequest | None = None) -> str:
        """The name (never the URL) of a request's data source, or of the current one: for the audit log."""
        if request is not None:
            found = self.sources.by_url(request.database_url)
            if found is not None:
                return found.name
        return self.sources.current().name
