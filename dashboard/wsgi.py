"""WSGI entry point for production, as docs/DASHBOARD.md documents it:
`gunicorn --preload --workers 2 --worker-class gthread --threads 4 --timeout 120 dashboard.wsgi:server`.

Settings come from RFMA_* environment variables. Under gunicorn the app's log records (warnings and tracebacks of
failed requests) go to gunicorn's error log, with its level.
"""

import logging

from dashboard.app import create_app
from dashboard.settings import Settings


def use_gunicorn_error_log() -> None:
    """Route every logger's records to gunicorn's error log handlers (when running under gunicorn)."""
    gunicorn = logging.getLogger("gunicorn.error")
    if gunicorn.handlers:
        root = logging.getLogger()
        root.handlers = list(gunicorn.handlers)
        root.setLevel(min(gunicorn.level or logging.INFO, logging.INFO))


def production_settings() -> Settings:
    """The environment's settings, refusing to serve without login or without a user to log in as."""
    settings = Settings.from_env()
    if settings.auth == "none":
        raise SystemExit(
            "RFMA_AUTH=none: без входа панель запускается только командой `rfma serve --no-auth` на 127.0.0.1"
        )
    if settings.auth == "login":
        from dashboard.appdb import Users, app_engine

        if not Users(app_engine(settings.app_database_url)).any():
            raise SystemExit(f"нет ни одного пользователя: {FIRST_ADMIN}")
    return settings


FIRST_ADMIN = "создайте администратора командой `rfma users add admin --role admin` (с теми же RFMA_* переменными)"

use_gunicorn_error_log()
app = create_app(production_settings())
server = app.server
