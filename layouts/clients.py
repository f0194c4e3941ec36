"""Tab «Клиенты»: the body is filled by callbacks.clients (KPI cards and three charts)."""

from __future__ import annotations

from dash import html

from dashboard import ids
from layouts.components import loading


def layout() -> html.Div:
    return html.Div([loading(html.Div(id=ids.CLIENTS.BODY, className="rfma-body"))])
