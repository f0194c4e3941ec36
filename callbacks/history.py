"""Tab «История»: «Сохранить снимок» → HistoryService.save; the list, the sizes chart and the two choosers read the
snapshots; two chosen snapshots → the Sankey, the matrix and the entered / left counts; a click on a flow or a count
→ its clients in a table, with «Скачать CSV»."""

from __future__ import annotations

from dash import ALL as ANY
from dash import Input, Output, State, ctx, no_update

from callbacks.campaign_form import register_form
from callbacks.common import ACTIVE_TAB, PERIOD_AND_PINS, as_states, error_component, purge_grid, safely
from callbacks.final import EMPTY_PAGE, OPEN_DOWNLOAD
from core.migration import Flow
from dashboard import downloads, grid, ids
from dashboard.services import Services
from dashboard.services.history import Change, HistoryExport, HistorySelection, default_pair
from layouts.components import note
from layouts.history import (
    CAMPAIGN_FORMS,
    CHANGE_PROMPT,
    FLOW_PROMPT,
    NO_SANKEY,
    NO_SIZES,
    render_change_count,
    render_flow_count,
    render_list,
    render_pair,
    sizes_figure,
    snapshot_options,
)
from layouts.migration import flow_key

PAIR = (Input(ids.HISTORY.BEFORE, "value"), Input(ids.HISTORY.AFTER, "value"))


def chosen_pair(before, after, known: list[int], default: tuple, saved: bool) -> tuple:
    """The choosers' values: the user's two while they name two different snapshots and nothing was just saved;
    else the default (the newest snapshot and the one before it)."""
    if not saved and before in known and after in known and before != after:
        return before, after
    return default


def _triggered_by(component_id: str) -> bool:
    try:
        return ctx.triggered_id == component_id
    except Exception:  # called outside a Dash callback (tests)
        return False


class HistoryCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def _request(self, start, end, pins):
        return self.services.requests.build(start, end, pins)

    def save(self, _clicks, start, end, pins, version):
        """«Сохранить снимок»: the classification on screen stored; the message says which snapshot it became."""
        from core import formatting as fmt

        try:
            saved = self.services.history.save(self._request(start, end, pins))
        except Exception as exc:
            return error_component(exc), no_update
        s = saved.snapshot
        again = " Он заменил прежний снимок того же периода с теми же порогами." if saved.replaced else ""
        text = (
            f"Снимок №{s.id} сохранён: на {fmt.date(s.as_of)}, период {fmt.date(s.date_from)} – "
            f"{fmt.date(s.date_to)}, {fmt.count(s.clients, *fmt.CLIENTS)}.{again}"
        )
        return note(text), (version or 0) + 1

    def update_list(self, active_tab, _version, sizes_level, start, end, pins, before, after):
        """The list, the sizes chart and the choosers' options and values (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_HISTORY:
            return (no_update,) * 6
        try:
            view = self.services.history.view(self._request(start, end, pins))
        except Exception as exc:
            return error_component(exc), NO_SIZES, [], [], None, None
        known = [s.id for s in view.snapshots]
        saved = _triggered_by(ids.HISTORY.VERSION)
        new_before, new_after = chosen_pair(before, after, known, default_pair(view.snapshots), saved)
        options = snapshot_options(view)
        return (
            render_list(view),
            sizes_figure(view, sizes_level or "region"),
            options,
            options,
            no_update if new_before == before else new_before,
            no_update if new_after == after else new_after,
        )

    def update_pair(self, active_tab, before, after, level, _version, start, end, pins):
        """The comparison of the two chosen snapshots at the level (a prompt until two different ones are chosen)."""
        if active_tab != ids.TAB_HISTORY:
            return no_update, no_update, no_update, no_update
        if before is None or after is None:
            return None, NO_SANKEY, None, None
        s = self.services
        try:
            view = s.history.pair_view(self._request(start, end, pins), before, after)
        except Exception as exc:
            return error_component(exc), NO_SANKEY, None, None
        return render_pair(view, level or "region")

    @staticmethod
    def select_flow(_cell_clicks, sankey_click, *_resets):
        """The key of a clicked matrix cell or Sankey link; another level or pair clears it."""
        trigger = ctx.triggered_id
        if trigger == ids.HISTORY.SANKEY:
            points = (sankey_click or {}).get("points") or []
            key = points[0].get("customdata") if points else None
            return key if isinstance(key, str) and key.count("|") == 2 else no_update
        if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
            return flow_key(trigger["flow"])
        if trigger in (ids.HISTORY.LEVEL, ids.HISTORY.BEFORE, ids.HISTORY.AFTER, ids.HISTORY.VERSION):
            return None
        return no_update

    @staticmethod
    def select_change(_clicks, *_resets):
        """The key of a clicked «вошли» / «вышли» count; another level or pair clears it."""
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
            return trigger["change"]
        if trigger in (ids.HISTORY.LEVEL, ids.HISTORY.BEFORE, ids.HISTORY.AFTER, ids.HISTORY.VERSION):
            return None
        return no_update

    def show_count(self, kind: str, key, active_tab, before, after, start, end, pins):
        """The count line of the selected flow or list (a prompt before one is picked)."""
        if active_tab != ids.TAB_HISTORY:
            return no_update
        if not key:
            return FLOW_PROMPT if kind == "flow" else CHANGE_PROMPT
        s = self.services

        def build():
            clients = s.history.count(self._request(start, end, pins), before, after, kind, key)
            if kind == "flow":
                return render_flow_count(Flow.parse(key), clients)
            return render_change_count(Change.parse(key), clients)

        return safely(build)

    def rows(self, kind: str, grid_request, active_tab, key, before, after, start, end, pins):
        """One block of the flow's or the list's table for AG Grid's infinite row model."""
        if not grid_request:
            return no_update
        if active_tab != ids.TAB_HISTORY or not key:
            return EMPTY_PAGE
        try:
            rows, count = self.services.history.page(
                self._request(start, end, pins),
                before,
                after,
                kind,
                key,
                grid_request.get("startRow", 0),
                grid_request.get("endRow", 0),
                grid.sort_keys(grid_request.get("sortModel")),
            )
        except Exception:  # the count line above the table shows the message
            return EMPTY_PAGE
        return {"rowData": rows, "rowCount": count}

    def download_csv(self, kind: str, _clicks, key, before, after, start, end, pins, column_state):
        """«Скачать CSV»: a short-lived link to the flow's or the list's clients (dashboard.downloads streams it)."""
        s = self.services
        try:
            if kind == "flow":
                Flow.parse(key)
            else:
                Change.parse(key)
            request = self._request(start, end, pins)
            pair = s.history.pair(request, before, after)
            export = HistoryExport(request, pair.before.id, pair.after.id, str(key), kind, grid.sort_keys(column_state))
            name, token = s.exports.keep_client_list(export)
        except Exception as exc:
            return no_update, error_component(exc)
        return downloads.client_list_url(token), note(f"Файл {name} скачивается.")


def flow_selection(services: Services, key, before, after, start, end, pins) -> HistorySelection:
    """The flow list's campaign form: the clicked flow's clients, t0 = snapshot B's date."""
    return services.history.campaign_selection(services.requests.build(start, end, pins), before, after, "flow", key)


def change_selection(services: Services, key, before, after, start, end, pins) -> HistorySelection:
    """The entered / left list's campaign form: the clicked list's clients, t0 = snapshot B's date."""
    return services.history.campaign_selection(services.requests.build(start, end, pins), before, after, "change", key)


SELECTIONS = {"flow": flow_selection, "change": change_selection}


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = HistoryCallbacks(services)
    version = Input(ids.HISTORY.VERSION, "data")
    app.callback(
        Output(ids.HISTORY.SAVE_MESSAGE, "children"),
        Output(ids.HISTORY.VERSION, "data"),
        Input(ids.HISTORY.SAVE, "n_clicks"),
        *as_states(PERIOD_AND_PINS),
        State(ids.HISTORY.VERSION, "data"),
        prevent_initial_call=True,
    )(callbacks.save)
    app.callback(
        Output(ids.HISTORY.LIST, "children"),
        Output(ids.HISTORY.SIZES, "figure"),
        Output(ids.HISTORY.BEFORE, "options"),
        Output(ids.HISTORY.AFTER, "options"),
        Output(ids.HISTORY.BEFORE, "value"),
        Output(ids.HISTORY.AFTER, "value"),
        ACTIVE_TAB,
        version,
        Input(ids.HISTORY.SIZES_LEVEL, "value"),
        *PERIOD_AND_PINS,
        *as_states(PAIR),
    )(callbacks.update_list)
    app.callback(
        Output(ids.HISTORY.PAIR, "children"),
        Output(ids.HISTORY.SANKEY, "figure"),
        Output(ids.HISTORY.MATRIX, "children"),
        Output(ids.HISTORY.CHANGES, "children"),
        ACTIVE_TAB,
        *PAIR,
        Input(ids.HISTORY.LEVEL, "value"),
        version,
        *PERIOD_AND_PINS,
    )(callbacks.update_pair)
    resets = (Input(ids.HISTORY.LEVEL, "value"), *PAIR, version)
    app.callback(
        Output(ids.HISTORY.FLOW, "data"),
        Input(ids.history_flow(ANY), "n_clicks"),
        Input(ids.HISTORY.SANKEY, "clickData"),
        *resets,
        prevent_initial_call=True,
    )(callbacks.select_flow)
    app.callback(
        Output(ids.HISTORY.CHANGE, "data"),
        Input(ids.history_change(ANY), "n_clicks"),
        *resets,
        prevent_initial_call=True,
    )(callbacks.select_change)
    for kind, store, count, grid_id, button, link, message in (
        (
            "flow",
            ids.HISTORY.FLOW,
            ids.HISTORY.FLOW_COUNT,
            ids.HISTORY.FLOW_GRID,
            ids.HISTORY.FLOW_CSV_BUTTON,
            ids.HISTORY.FLOW_CSV_LINK,
            ids.HISTORY.FLOW_EXPORT_MESSAGE,
        ),
        (
            "change",
            ids.HISTORY.CHANGE,
            ids.HISTORY.CHANGE_COUNT,
            ids.HISTORY.CHANGE_GRID,
            ids.HISTORY.CHANGE_CSV_BUTTON,
            ids.HISTORY.CHANGE_CSV_LINK,
            ids.HISTORY.CHANGE_EXPORT_MESSAGE,
        ),
    ):
        state = [Input(store, "data"), ACTIVE_TAB, *PAIR, *PERIOD_AND_PINS]
        app.callback(Output(count, "children"), *state)(lambda *args, kind=kind: callbacks.show_count(kind, *args))
        app.callback(
            Output(grid_id, "getRowsResponse"),
            Input(grid_id, "getRowsRequest"),
            *as_states([ACTIVE_TAB, state[0], *state[2:]]),
        )(lambda *args, kind=kind: callbacks.rows(kind, *args))
        app.clientside_callback(purge_grid(grid_id), *state, prevent_initial_call=True)
        app.callback(
            Output(link, "data"),
            Output(message, "children"),
            Input(button, "n_clicks"),
            *as_states([state[0], *state[2:]]),
            State(grid_id, "columnState"),
            prevent_initial_call=True,
        )(lambda *args, kind=kind: callbacks.download_csv(kind, *args))
        app.clientside_callback(OPEN_DOWNLOAD, Input(link, "data"), prevent_initial_call=True)
        register_form(app, services, CAMPAIGN_FORMS[kind], as_states([state[0], *state[2:]]), SELECTIONS[kind])
