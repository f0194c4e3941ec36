"""Tab «Аптеки»: the period's inputs → request → PharmaciesService → render_pharmacies."""

from __future__ import annotations

from dash import Output

from callbacks.common import ACTIVE_TAB, PERIOD, safely
from dashboard import ids
from dashboard.services import Services
from layouts.pharmacies import render_pharmacies


class PharmaciesCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def update(self, active_tab: str, start: str | None, end: str | None):
        """The body for the period (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_PHARMACIES:
            return None
        s = self.services
        return safely(lambda: render_pharmacies(s.pharmacies.view(s.requests.build(start, end))))


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = PharmaciesCallbacks(services)
    app.callback(
        Output(ids.PHARMACIES.BODY, "children"),
        ACTIVE_TAB,
        *PERIOD,
    )(callbacks.update)
