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


use_gunicorn_error_log()
app = create_app(Settings.from_env())
server = app.server
