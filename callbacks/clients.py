"""Tab «Клиенты»: the period's inputs → request → ClientsService → render_clients."""

from __future__ import annotations

from dash import Output

from callbacks.common import ACTIVE_TAB, PERIOD, safely
from dashboard import ids
from dashboard.services import Services
from layouts.clients import render_clients


class ClientsCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def update(self, active_tab: str, start: str | None, end: str | None):
        """The body for the period (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_CLIENTS:
            return None
        s = self.services
        return safely(lambda: render_clients(s.clients.view(s.requests.build(start, end))))


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = ClientsCallbacks(services)
    app.callback(
        Output(ids.CLIENTS.BODY, "children"),
        ACTIVE_TAB,
        *PERIOD,
    )(callbacks.update)
