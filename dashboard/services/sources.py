"""The data sources the app serves and which one the current request uses.

Each user is granted some sources (`User.sources`, None = all). The chosen one lives in the user's Flask session
(the signed cookie) and is checked against the grants on every request: a source not granted (any more) falls back
to the first granted one; a user granted none gets a Russian refusal page (`guard`). Each source has its own reader
(data version, per database) and its own chain's threshold sets, built lazily; cached results are apart because
every `AnalysisRequest` key holds the database URL. URLs never leave the server: the page, the page state and the
messages name a source by its name only.
"""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import dataclass

from flask import Response, g, has_request_context, request, session

from dashboard.appdb import ThresholdSets, open_threshold_sets
from dashboard.services.access import AccessDenied, Identity, current_identity
from dashboard.services.cache import SharedCache
from dashboard.services.engines import SourceReader
from dashboard.settings import Settings
from dashboard.sources import SourceConfig

log = logging.getLogger(__name__)

SESSION_KEY = "rfma_source"  # the chosen source's name in the Flask session
CURRENT_KEY = "rfma_current_source"  # the request's resolved source in flask.g
NOT_GRANTED = "Вам не открыт ни один источник данных. Обратитесь к администратору панели."
UNKNOWN = "Этот источник данных вам не открыт."


class NoSourceGranted(AccessDenied):
    """The user may use none of the configured sources."""


@dataclass(frozen=True, eq=False)
class Source:
    """One data source at run time: its name (shown), URL (never shown), reader and the chain's threshold sets."""

    name: str
    url: str
    reader: SourceReader
    sets: ThresholdSets

    def __repr__(self) -> str:
        return f"Source(name={self.name!r})"


class Sources:
    """The configured data sources (one without a sources file) and the current request's choice among them."""

    def __init__(self, settings: Settings, cache: SharedCache):
        self.settings = settings
        self.cache = cache
        self.configs: tuple[SourceConfig, ...] = settings.data_sources
        self._built: dict[str, Source] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        """Every configured source's name, in the configured order."""
        return tuple(config.name for config in self.configs)

    @property
    def default(self) -> Source:
        """The first configured source (used outside a request, e.g. the layout Dash validates at start)."""
        return self.get(self.configs[0].name)

    def get(self, name: str) -> Source:
        """The source called `name` (built on first use); KeyError for an unknown name."""
        with self._lock:
            built = self._built.get(name)
            if built is None:
                config = next(c for c in self.configs if c.name == name) if name in self.names else None
                if config is None:
                    raise KeyError(name)
                s = self.settings
                reader = SourceReader(config.url, s.duckdb_read_only, self.cache)
                legacy = s.pins_path if config.url == s.database_url else None
                sets = open_threshold_sets(s.app_database_url, config.url, legacy)
                built = self._built[name] = Source(config.name, config.url, reader, sets)
            return built

    def by_url(self, url: str) -> Source | None:
        """The source of a database URL (a kept export's request), or None."""
        name = next((c.name for c in self.configs if c.url == url), None)
        return None if name is None else self.get(name)

    def granted(self, identity: Identity | None) -> tuple[str, ...]:
        """The names `identity` may use, in the configured order (none without an identity)."""
        if identity is None:
            return ()
        return tuple(name for name in self.names if identity.sources is None or name in identity.sources)

    def current(self) -> Source:
        """The request's source: the session's choice when granted, else the first granted one; NoSourceGranted
        when none is. Outside a request: the default source."""
        if not has_request_context():
            return self.default
        found = g.get(CURRENT_KEY)
        if found is not None:
            return found
        granted = self.granted(current_identity())
        if not granted:
            raise NoSourceGranted(NOT_GRANTED)
        chosen = session.get(SESSION_KEY)
        source = self.get(chosen if chosen in granted else granted[0])
        g.setdefault(CURRENT_KEY, source)
        return source

    def choose(self, name: object) -> Source:
        """Make `name` the session's source (when granted to the user); AccessDenied otherwise, nothing changed."""
        granted = self.granted(current_identity())
        if not isinstance(name, str) or name not in granted:
            raise AccessDenied(UNKNOWN)
        session[SESSION_KEY] = name
        source = self.get(name)
        g.pop(CURRENT_KEY, None)
        return source

    def check(self, url: str) -> Source:
        """The source of a kept request's database, when the current user is still granted it; AccessDenied else."""
        source = self.by_url(url)
        if source is None or source.name not in self.granted(current_identity()):
            raise AccessDenied(UNKNOWN)
        return source


def refusal(prefix: str) -> Response:
    """The page (or text) a user granted no source gets: a Russian refusal with «Выйти»."""
    if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
        body = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Нет доступа — RFMA</title>
<link rel="stylesheet" href="{prefix}assets/bootstrap.min.css"><link rel="stylesheet" href="{prefix}assets/rfma.css">
</head><body class="rfma-login"><main class="container py-5"><h1>Нет доступа к данным</h1>
<p role="alert">{html.escape(NOT_GRANTED)}</p><p><a href="{prefix}logout">Выйти</a></p></main></body></html>"""
        response = Response(body, 403, mimetype="text/html")
    else:
        response = Response(NOT_GRANTED + "\n", 403, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app, sources: Sources) -> None:
    """After the login's guard: a signed-in user granted no source gets the refusal (logging out still works)."""
    prefix = app.config.routes_pathname_prefix
    open_paths = {f"{prefix}login", f"{prefix}logout", f"{prefix}_favicon.ico"}

    @app.server.before_request
    def require_a_source():
        if request.path in open_paths or request.path.startswith(
            (f"{prefix}assets/", f"{prefix}_dash-component-suites/")
        ):
            return None
        if current_identity() is None:
            return None  # the login's guard answered already (or this route is public)
        try:
            sources.current()
        except NoSourceGranted:
            log.warning("a user with no granted data source was refused")
            return refusal(prefix)
        return None
