"""WSGI entry point for production: `gunicorn --workers 4 --preload dashboard.wsgi:server`.

Settings come from RFMA_* environment variables (see docs/DASHBOARD.md).
"""

from dashboard.app import create_app
from dashboard.settings import Settings

app = create_app(Settings.from_env())
server = app.server
