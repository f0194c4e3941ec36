"""Tab «Аптеки»: the body is filled by callbacks.pharmacies (four charts and a table)."""

from __future__ import annotations

from dash import html

from dashboard import ids
from layouts.components import loading


def layout() -> html.Div:
    return html.Div([loading(html.Div(id=ids.PHARMACIES.BODY, className="rfma-body"))])
