"""The app factory: `create_app(settings) -> dash.Dash`. Nothing is registered as an import side effect."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import dash
from flask import has_request_context, request

from callbacks import campaigns, clients, cohorts, final, history, migration, pharmacies, shell, tables, thresholds
from core.db import is_default_database, make_engine
from dashboard import auth, downloads, security
from dashboard.services import EXTENSION_KEY, build_services
from dashboard.services import sources as source_guard
from dashboard.services.access import current_identity
from dashboard.services.cache import create_cache
from dashboard.services.page_state import read_page_state, referrer_args
from dashboard.services.shell import PageView
from dashboard.settings import Settings
from layouts import shell as shell_layout

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent.parent / "assets"
TAB_MODULES = (shell, clients, pharmacies, thresholds, final, migration, cohorts, history, tables, campaigns)

INDEX = """<!DOCTYPE html>
<html lang="ru">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def prepare_database(settings: Settings) -> None:
    """Create the embedded demo database on first run (only for the default URL); errors surface in the page."""
    url = next((source.url for source in settings.data_sources if is_default_database(source.url)), None)
    if url is None:
        return
    try:
        from core.loading import ensure_demo_database

        engine = make_engine(url)
        try:
            ensure_demo_database(engine, url)
        finally:
            engine.dispose()
    except Exception as exc:
        log.warning("could not prepare the demo database: %s", exc)


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build the Dash app: server, cache, services, layout and every tab's callbacks (given their services)."""
    settings = settings or Settings.from_env()
    prepare_database(settings)
    app = dash.Dash(
        __name__,
        title=settings.title,
        update_title=None,
        assets_folder=str(ASSETS),
        serve_locally=True,
    )
    app.index_string = INDEX
    services = build_services(settings, create_cache(app.server, settings))
    app.server.extensions[EXTENSION_KEY] = services

    def page():
        """The page, built per request on the user's current data source: the tab, period, segment and filters from
        the address (checked against the data; all data by default); the thresholds are the source's chain set or
        the user's draft kept in the browser session.

        Dash also calls this once when the layout is set, outside any request, and on the first request before any
        guard, to validate the callbacks' ids: that skeleton (no identity) touches no database, so no connection
        exists before gunicorn forks its workers.
        """
        identity = current_identity() if has_request_context() else None
        if identity is None:  # also Dash's own check on the first request, before the login's guard ran
            return shell_layout.layout(PageView(None, None))
        view = dataclasses.replace(services.shell.page(), identity=identity, auth=settings.auth)
        args = request.args or referrer_args(request.referrer)  # Dash asks for the layout in a request of its own
        return shell_layout.layout(view, read_page_state(args, view.bounds))

    app.layout = page
    auth.register(app, settings, services.users, services.audit)
    source_guard.register(app, services.sources)
    for module in TAB_MODULES:
        module.register(app, services)
    downloads.register(app, services)
    security.register(app)
    return app
