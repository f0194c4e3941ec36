"""Page-level callbacks: the period presets."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from dashboard import ids
from dashboard.services import Services
from dashboard.services.shell import preset_period, short_period_note

PRESETS = {
    ids.HEADER.PRESET_ALL: "all",
    ids.HEADER.PRESET_YEAR: "year",
    ids.HEADER.PRESET_QUARTER: "quarter",
    ids.HEADER.PRESET_MONTH: "month",
}


class ShellCallbacks:
    """The page's callbacks as plain methods; `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    @staticmethod
    def period_note(start: str | None, end: str | None) -> str | None:
        """The header's warning under a period too short for meaningful segments (shown on every tab)."""
        return short_period_note(start, end)

    def apply_preset(self, _all, _year, _quarter, _month, first: str | None, last: str | None):
        """The period of the pressed preset button."""
        if ctx.triggered_id is None:
            return no_update, no_update
        return preset_period(PRESETS.get(ctx.triggered_id), first, last)


def register(app, services: Services) -> None:
    """Wire the page's callbacks to the app."""
    callbacks = ShellCallbacks(services)
    app.callback(
        Output(ids.HEADER.PERIOD, "start_date"),
        Output(ids.HEADER.PERIOD, "end_date"),
        *(Input(preset, "n_clicks") for preset in PRESETS),
        State(ids.HEADER.PERIOD, "min_date_allowed"),
        State(ids.HEADER.PERIOD, "max_date_allowed"),
        prevent_initial_call=True,
    )(callbacks.apply_preset)
    app.callback(
        Output(ids.HEADER.PERIOD_NOTE, "children"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
    )(callbacks.period_note)
