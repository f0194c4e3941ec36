"""Page-level callbacks: the period presets, the short-period note and the threshold-set bar (draft, save for the
chain, discard, fit the period)."""

from __future__ import annotations

import logging

from dash import Input, Output, State, ctx, no_update

from callbacks.common import PERIOD_AND_PINS
from core.db import DatabaseError
from core.model import RfmaError
from dashboard import ids
from dashboard.services import Services
from dashboard.services.shell import preset_period, short_period_note
from layouts.header import render_threshold_set

log = logging.getLogger(__name__)
# Who saved a threshold set from the page (there is no login yet; the application database keeps the field).
DASHBOARD_USER = "панель (без входа)"

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

    def threshold_set(self, start, end, draft):
        """The bar: which set is in force (the chain's or the draft), its buttons, and whether it fits the period."""
        try:
            request = self.services.requests.build(start, end, draft)
            view = self.services.thresholds.set_view(request, draft)
        except (RfmaError, DatabaseError):  # no data or no database: the tabs and the source line say so
            view = None
        except Exception:
            log.exception("the threshold-set bar failed")
            view = None
        return render_threshold_set(view)

    def act_on_set(self, _save, _discard, _fit, start, end, draft):
        """«Сохранить для всей сети», «Вернуть утверждённые» or «Открепить … для этого периода»: (draft, notice)."""
        trigger = ctx.triggered_id
        thresholds = self.services.thresholds
        try:
            if trigger == ids.HEADER.DISCARD_DRAFT:
                return None, ""
            request = self.services.requests.build(start, end, draft)
            if trigger == ids.HEADER.FIT_PERIOD:
                return thresholds.fitting_draft(request), "Пороги откреплены в вашем черновике."
            if trigger == ids.HEADER.SAVE_FOR_CHAIN:
                if thresholds.set_view(request, draft).problem is not None:
                    return no_update, "Не сохранено: набор не подходит выбранному периоду."
                thresholds.save_for_chain(draft, DASHBOARD_USER)
                return None, "Сохранено для всей сети."
        except RfmaError as exc:
            return no_update, f"Не получилось: {exc}"
        except DatabaseError as exc:  # the driver's text (hosts, paths) goes to the server's log only
            log.warning("the threshold set could not be changed: %s", exc)
            return no_update, "Не получилось: база данных недоступна, подробности записаны в журнал сервера."
        return no_update, no_update


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
    app.callback(
        Output(ids.HEADER.THRESHOLD_SET, "children"),
        Output(ids.HEADER.SAVE_FOR_CHAIN, "className"),
        Output(ids.HEADER.DISCARD_DRAFT, "className"),
        Output(ids.HEADER.THRESHOLD_PROBLEM, "className"),
        Output(ids.HEADER.THRESHOLD_PROBLEM_TEXT, "children"),
        Output(ids.HEADER.FIT_PERIOD, "children"),
        *PERIOD_AND_PINS,
    )(callbacks.threshold_set)
    app.callback(
        Output(ids.SHELL.DRAFT, "data", allow_duplicate=True),
        Output(ids.HEADER.THRESHOLD_NOTICE, "children"),
        Input(ids.HEADER.SAVE_FOR_CHAIN, "n_clicks"),
        Input(ids.HEADER.DISCARD_DRAFT, "n_clicks"),
        Input(ids.HEADER.FIT_PERIOD, "n_clicks"),
        *(State(i.component_id, i.component_property) for i in PERIOD_AND_PINS),
        prevent_initial_call=True,
    )(callbacks.act_on_set)
