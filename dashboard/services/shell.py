"""The page around the tabs: the data source line, the period's bounds and the period presets."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from core import formatting as fmt
from core.db import DatabaseError, DataSource
from core.messages import EMPTY_DATABASE, unreachable
from core.writers import DataUpdating
from dashboard.services.access import Identity, current_identity
from dashboard.services.migration import middle_date
from dashboard.services.sources import Sources

log = logging.getLogger(__name__)
PRESET_DAYS = {"year": 365, "quarter": 91, "month": 30}


@dataclass(frozen=True)
class PageView:
    """What the page is built with on each load: the source (or why it cannot be read)."""

    source: DataSource | None
    error: str | None
    name: str = ""  # the configured data-source name (never the URL)
    choices: tuple[str, ...] = ()  # the data sources the user may switch between (names; a selector when > 1)
    identity: Identity | None = None  # who is looking (None: the skeleton built outside a request)
    auth: str = "login"  # the app's login mode: 'login', 'proxy' or 'none'

    @property
    def bounds(self) -> tuple[str, str] | None:
        """(first, last) cheque dates as ISO strings, or None when there is no cheque to show."""
        if self.source is None or not self.source.cheques:
            return None
        first, last = self.source.first_datetime, self.source.last_datetime
        return first.date().isoformat(), last.date().isoformat()

    @property
    def bonus_date(self) -> str | None:
        """The default bonus date of «Миграция»: the middle of the data."""
        return None if self.bounds is None else middle_date(*self.bounds)


def preset_period(preset: str | None, first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """(start, end) of a preset ('all', 'year', 'quarter', 'month'), counted back from the last cheque date."""
    if not first or not last:
        return first, last
    lo, hi = dt.date.fromisoformat(first[:10]), dt.date.fromisoformat(last[:10])
    days = PRESET_DAYS.get(preset or "")
    if days is None:
        return lo.isoformat(), hi.isoformat()
    return max(lo, hi - dt.timedelta(days=days - 1)).isoformat(), hi.isoformat()


SHORT_PERIOD_DAYS = 90


def short_period_note(start: str | None, end: str | None) -> str | None:
    """A warning for a period too short for meaningful segments (fewer than SHORT_PERIOD_DAYS days), else None."""
    if not start or not end:
        return None
    days = (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days + 1
    if days >= SHORT_PERIOD_DAYS:
        return None
    length = fmt.count(days, *fmt.DAYS)
    return (
        f"Период короткий ({length}): давность, частота и средний чек посчитаны по малой части истории, и сегменты "
        f"менее надёжны. Для классификации выберите хотя бы {fmt.count(SHORT_PERIOD_DAYS, *fmt.DAYS)}."
    )


class ShellService:
    """The page's own state, read per page load from the user's current data source."""

    def __init__(self, sources: Sources):
        self.sources = sources

    def page(self) -> PageView:
        """The current data source (the period defaults to all of it) and the sources the user may choose from."""
        current = self.sources.current()
        name = current.name
        choices = self.sources.granted(current_identity())
        try:
            source = current.reader.read()
        except DatabaseError as exc:
            log.warning("the page cannot read the database: %s", exc)
            return PageView(None, unreachable(name), name, choices)
        except DataUpdating as exc:  # an import is writing the DuckDB file longer than a reader waits
            return PageView(None, str(exc), name, choices)
        error = None if source.cheques else f"{name}: {EMPTY_DATABASE}"
        return PageView(source, error, name, choices)
