"""Page-level callbacks: period presets."""

from __future__ import annotations

import datetime as dt

from dash import Input, Output, State, ctx, no_update

from dashboard import ids


def preset_period(trigger: str | None, first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """(start, end) for a preset button, counted back from the last cheque date."""
    if not first or not last:
        return first, last
    lo, hi = dt.date.fromisoformat(first[:10]), dt.date.fromisoformat(last[:10])
    days = {ids.HEADER.PRESET_YEAR: 365, ids.HEADER.PRESET_QUARTER: 91, ids.HEADER.PRESET_MONTH: 30}.get(trigger)
    if days is None:
        return lo.isoformat(), hi.isoformat()
    return max(lo, hi - dt.timedelta(days=days - 1)).isoformat(), hi.isoformat()


def apply_preset(_all, _year, _quarter, _month, first, last):
    if ctx.triggered_id is None:
        return no_update, no_update
    return preset_period(ctx.triggered_id, first, last)


def register(app) -> None:
    app.callback(
        Output(ids.HEADER.PERIOD, "start_date"),
        Output(ids.HEADER.PERIOD, "end_date"),
        Input(ids.HEADER.PRESET_ALL, "n_clicks"),
        Input(ids.HEADER.PRESET_YEAR, "n_clicks"),
        Input(ids.HEADER.PRESET_QUARTER, "n_clicks"),
        Input(ids.HEADER.PRESET_MONTH, "n_clicks"),
        State(ids.HEADER.PERIOD, "min_date_allowed"),
        State(ids.HEADER.PERIOD, "max_date_allowed"),
        prevent_initial_call=True,
    )(apply_preset)
