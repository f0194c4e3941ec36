"""The app factory: `create_app(settings) -> dash.Dash`. Nothing is registered as an import side effect."""

from __future__ import annotations

import logging
from pathlib import Path

import dash

from callbacks import clients, final, migration, pharmacies, shell, thresholds
from core import formatting as fmt
from core.db import DatabaseError, is_default_database, make_engine
from dashboard import downloads
from dashboard.services import EXTENSION_KEY, Services, create_cache
from dashboard.settings import Settings
from layouts import shell as shell_layout

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent.parent / "assets"
TAB_MODULES = (shell, clients, pharmacies, thresholds, final, migration)

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
    if not is_default_database(settings.database_url):
        return
    try:
        from core.loading import ensure_demo_database

        engine = make_engine(settings.database_url)
        try:
            ensure_demo_database(engine, settings.database_url)
        finally:
            engine.dispose()
    except Exception as exc:
        log.warning("could not prepare the demo database: %s", exc)


def source_line(source) -> str:
    """The header's data-source line."""
    last = source.last_datetime
    last_text = last.strftime("%d.%m.%Y %H:%M") if hasattr(last, "strftime") else "—"
    return f"База данных: {source.url} · чеков: {fmt.integer(source.cheques)} · последний чек: {last_text}"


def serve_layout(services: Services):
    """The page, built per request: the period defaults to all data, pins come from the saved file."""
    try:
        source = services.source()
        bounds = None
        if source.cheques:
            bounds = (source.first_datetime.date().isoformat(), source.last_datetime.date().isoformat())
        text, error = source_line(source), None
        if not source.cheques:
            error = (
                f"База данных {source.url} не содержит чеков: загрузите их (rfma import) или демо-данные (rfma demo)."
            )
    except DatabaseError as exc:
        bounds, text, error = None, "", f"База данных недоступна: {exc}"
    return shell_layout.layout(bounds, text, error, services.saved_pins())


def create_app(settings: Settings | None = None) -> dash.Dash:
    """Build the Dash app: server, cache, services, layout and every tab's callbacks."""
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
    cache = create_cache(app.server, settings)
    app.server.extensions[EXTENSION_KEY] = Services(settings, cache)
    services = app.server.extensions[EXTENSION_KEY]

    def page():
        return serve_layout(services)

    app.layout = page
    for module in TAB_MODULES:
        module.register(app)
    downloads.register(app)
    return app
