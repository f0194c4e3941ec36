"""Tab «Миграция»: bonus date, level and value → request → MigrationService → render_migration."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.common import ACTIVE_TAB, PERIOD, PERIOD_AND_PINS, safely
from dashboard import ids
from dashboard.services import Services
from dashboard.services.migration import bonus_date_inside
from layouts.migration import render_migration


def bonus_bounds(start: str | None, end: str | None, current: str | None):
    """The bonus date may be picked only inside the period; one left outside by a new period moves inside it."""
    inside = bonus_date_inside(start, end, current)
    return (start[:10] if start else None), (end[:10] if end else None), no_update if inside == current else inside


class MigrationCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def update(self, active_tab, bonus_date, level, value, start, end, pins):
        """The body for the bonus date (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_MIGRATION:
            return None
        s = self.services
        return safely(
            lambda: render_migration(
                s.migration.view(s.requests.build(start, end, pins), bonus_date), level or "region", value or "clients"
            )
        )


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = MigrationCallbacks(services)
    app.callback(
        Output(ids.MIGRATION.BONUS_DATE, "min_date_allowed"),
        Output(ids.MIGRATION.BONUS_DATE, "max_date_allowed"),
        Output(ids.MIGRATION.BONUS_DATE, "date"),
        *PERIOD,
        State(ids.MIGRATION.BONUS_DATE, "date"),
    )(bonus_bounds)
    app.callback(
        Output(ids.MIGRATION.BODY, "children"),
        ACTIVE_TAB,
        Input(ids.MIGRATION.BONUS_DATE, "date"),
        Input(ids.MIGRATION.LEVEL, "value"),
        Input(ids.MIGRATION.VALUE, "value"),
        *PERIOD_AND_PINS,
    )(callbacks.update)
