"""Page-level callbacks: the period presets, the short-period note, the threshold-set bar (draft, save for the
chain, discard, fit the period), the page's state written into its address, the help panel."""

from __future__ import annotations

import json
import logging

from dash import Input, Output, State, ctx, no_update

from callbacks.common import PERIOD_AND_PINS
from core.db import DatabaseError
from core.model import RfmaError
from dashboard import ids
from dashboard.services import Services
from dashboard.services.access import AccessDenied
from dashboard.services.page_state import TAB_NAMES
from dashboard.services.shell import preset_period, short_period_note
from layouts.header import render_threshold_set

log = logging.getLogger(__name__)

PRESETS = {
    ids.HEADER.PRESET_ALL: "all",
    ids.HEADER.PRESET_YEAR: "year",
    ids.HEADER.PRESET_QUARTER: "quarter",
    ids.HEADER.PRESET_MONTH: "month",
}


# The address follows the page without a server round trip: the same query as page_state.page_query, written
# with the browser's history API. A tab or segment change is a new history entry; a period or filter change
# replaces the current one, and so does the first call, which puts the page's checked state into the address (an
# invalid or stale link is corrected at once). «Назад» / «Вперёд» land on an entry the page did not write just now:
# the page is built again from it on the server (the same checks as any link, no second parser in the browser).
# (dcc.Location is not used: it pushes every change and, after a replace, pushes its stale href back.)
WRITE_URL = (
    """
function (tab, start, end, segment, shops, r, f, m, a) {
    var names = TAB_NAMES;
    var params = new URLSearchParams();
    params.append("tab", names[tab] || "clients");
    if (start) { params.append("from", String(start).slice(0, 10)); }
    if (end) { params.append("to", String(end).slice(0, 10)); }
    if (segment && segment !== "all") { params.append("segment", segment); }
    (shops || []).forEach(function (shop) { params.append("shop", shop); });
    [["r", r], ["f", f], ["m", m], ["a", a]].forEach(function (grade) {
        if (grade[1] && grade[1].length) { params.append(grade[0], grade[1].slice().sort().join(",")); }
    });
    var search = "?" + params.toString();
    var triggered = (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
    var push = window.rfmaSearch !== undefined && triggered.some(function (id) {
        return id.indexOf("TABS_ID.") === 0 || id.indexOf("SELECTION_ID.") === 0;
    });
    if (search !== window.location.search) {
        var url = window.location.pathname + search + window.location.hash;
        if (push) { window.history.pushState(null, "", url); }
        else { window.history.replaceState(window.history.state, "", url); }
    }
    window.rfmaSearch = search;
    if (!window.rfmaHistory) {
        window.rfmaHistory = true;
        window.addEventListener("popstate", function () {
            if (window.location.search !== window.rfmaSearch) { window.location.reload(); }
        });
    }
}
""".replace("TAB_NAMES", json.dumps({tab_id: name for name, tab_id in TAB_NAMES.items()}))
    .replace("TABS_ID", ids.SHELL.TABS)
    .replace("SELECTION_ID", ids.FINAL.SELECTION)
)

# After the server accepted another data source: the draft (the other source's thresholds) is dropped from this
# browser tab's storage, the address keeps only the tab (the period and filters were the other chain's), and the
# page is built again on the new source.
RELOAD_ON_SOURCE = """
function (chosen) {
    if (!chosen) { return; }
    window.sessionStorage.removeItem("DRAFT_ID");
    window.sessionStorage.removeItem("DRAFT_ID-timestamp");
    var params = new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    if (params.get("tab")) { kept.append("tab", params.get("tab")); }
    var query = kept.toString();
    window.location.replace(window.location.pathname + (query ? "?" + query : ""));
}
""".replace("DRAFT_ID", ids.SHELL.DRAFT)

TOGGLE_HELP = """
function (clicks, isOpen) { return clicks ? !isOpen : isOpen; }
"""


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
                thresholds.save_for_chain(draft)
                return None, "Сохранено для всей сети."
        except RfmaError as exc:
            return no_update, f"Не получилось: {exc}"
        except DatabaseError as exc:  # the driver's text (hosts, paths) goes to the server's log only
            log.warning("the threshold set could not be changed: %s", exc)
            return no_update, "Не получилось: база данных недоступна, подробности записаны в журнал сервера."
        return no_update, no_update

    def choose_source(self, name):
        """The header's selector: the session's data source becomes `name` when the user is granted it (then the page
        reloads); otherwise a Russian refusal and nothing changes. (chosen name or None, message)"""
        if not name:
            return no_update, no_update
        try:
            current = self.services.sources.current()
            if name == current.name:
                return no_update, ""
            chosen = self.services.sources.choose(name)
        except AccessDenied as exc:
            log.warning("a data source that is not granted was asked for")
            return None, str(exc)
        return chosen.name, ""


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
    app.clientside_callback(
        WRITE_URL,
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        Input(ids.FINAL.SELECTION, "data"),
        Input(ids.FINAL.FILTER_SHOPS, "value"),
        Input(ids.FINAL.FILTER_R, "value"),
        Input(ids.FINAL.FILTER_F, "value"),
        Input(ids.FINAL.FILTER_M, "value"),
        Input(ids.FINAL.FILTER_A, "value"),
    )
    app.callback(
        Output(ids.HEADER.SOURCE_CHOSEN, "data"),
        Output(ids.HEADER.SOURCE_MESSAGE, "children"),
        Input(ids.HEADER.SOURCE_SELECT, "value"),
        prevent_initial_call=True,
    )(callbacks.choose_source)
    app.clientside_callback(RELOAD_ON_SOURCE, Input(ids.HEADER.SOURCE_CHOSEN, "data"))
    app.clientside_callback(
        TOGGLE_HELP,
        Output(ids.SHELL.HELP, "is_open"),
        Input(ids.HEADER.HELP_BUTTON, "n_clicks"),
        State(ids.SHELL.HELP, "is_open"),
        prevent_initial_call=True,
    )
