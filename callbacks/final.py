"""Tab «Финал»: the page's inputs → request (+ client filter) → FinalService / ExportsService → layouts.final."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from dash import ALL as ANY
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.campaign_form import register_form
from callbacks.common import ACTIVE_TAB, PERIOD_AND_PINS, as_states, error_component, mark_tree, safely, tree_click_node
from dashboard import downloads, grid, ids
from dashboard.services import Services
from dashboard.services.campaigns import FinalSelection
from dashboard.services.exports import ClientListExport
from layouts.components import note
from layouts.final import (
    CAMPAIGN_FORM,
    render_card_prompt,
    render_client,
    render_final,
    render_selection,
    render_selection_error,
    render_sunburst,
    render_sunburst_error,
)
from layouts.final_tree import render_breadcrumb, tree_list
from layouts.history import render_client_path

EMPTY_PAGE = {"rowData": [], "rowCount": 0}

# Refresh the client table when anything outside the grid changes: purge AG Grid's infinite cache, so it asks
# the server for rows again (the grid's own sort and filters refresh it by themselves). While «Финал» is hidden the
# server answers the grid's requests with no rows, so a change made then only marks the rows stale; showing «Финал»
# purges stale rows (and rows never filled, e.g. asked for while the app opened on another tab) and keeps the rest.
PURGE_GRID = (
    """
function (activeTab) {
    var fromTabs = (dash_clientside.callback_context.triggered || []).some(function (t) {
        return t.prop_id === "TABS_ID.active_tab";
    });
    if (activeTab !== "TAB_FINAL") {
        if (!fromTabs) { window.rfmaGridStale = true; }
        return;
    }
    if (fromTabs && window.rfmaGridStale === false) { return; }
    window.rfmaGridStale = false;
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
        window.dash_ag_grid.getApiAsync("GRID_ID").then(function (api) {
            if (api && !api.isDestroyed()) { api.purgeInfiniteCache(); }
        });
    }
}
""".replace("GRID_ID", ids.FINAL.CLIENT_GRID)
    .replace("TABS_ID", ids.SHELL.TABS)
    .replace("TAB_FINAL", ids.TAB_FINAL)
)

# Open the streamed CSV's link as a download (an <a download> click: the page stays, the browser saves the file).
OPEN_DOWNLOAD = """
function (url) {
    if (url) {
        var link = document.createElement("a");
        link.href = url;
        link.download = "";
        document.body.appendChild(link);
        link.click();
        link.remove();
    }
}
"""


class FinalCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them.

    `flt` below is the page's filter values: selection, shops, r, f, m, a, card text (and the grid's filter model).
    """

    def __init__(self, services: Services):
        self.services = services

    def _request(self, start, end, pins):
        return self.services.requests.build(start, end, pins)

    def drawn_key(self, active_tab, start, end, pins, *inputs) -> str | None:
        """What a part of the tab drawn for these inputs shows: the request's key (database, data version, period,
        pins) and the part's other inputs, as a digest (the key holds the database's URL and maybe a typed card: the
        browser gets neither). None while the tab is hidden or the request cannot be built (an error is drawn afresh
        every time)."""
        if active_tab != ids.TAB_FINAL:
            return None
        try:
            request = self._request(start, end, pins)
        except Exception:
            return None
        text = json.dumps([request.key("drawn"), inputs], default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def unless_drawn(self, render: Callable, key_inputs: Callable[..., tuple]) -> Callable:
        """`render` (a part of the tab) as a callback that also takes and returns the key of what is drawn (a
        memory store): when «Финал» is shown again with the inputs the part was drawn for, nothing is sent to the
        browser (PreventUpdate) — the part is kept, not redrawn. `key_inputs(*inputs)` picks (active tab, start,
        end, pins, *the part's own inputs) out of the callback's inputs."""

        def callback(*args):
            *inputs, drawn = args
            key = self.drawn_key(*key_inputs(*inputs))
            if key is not None and key == drawn:
                raise PreventUpdate
            result = render(*inputs)
            hidden = key_inputs(*inputs)[0] != ids.TAB_FINAL
            stored = no_update if hidden else key
            return (*result, stored) if isinstance(result, tuple) else (result, stored)

        return callback

    def update_final(self, active_tab, start, end, pins):
        """Regions, clusters and classes (while the tab is hidden, what is drawn stays)."""
        if active_tab != ids.TAB_FINAL:
            return no_update
        return safely(lambda: render_final(self.services.final.view(self._request(start, end, pins))))

    def lookup_card(self, _clicks, _submits, active_tab, start, end, pins, card_number):
        """One client by card number."""
        if active_tab != ids.TAB_FINAL:
            return no_update
        if not card_number or not str(card_number).strip():
            return render_card_prompt()
        final, history = self.services.final, self.services.history

        def card():
            request = self._request(start, end, pins)
            result = final.client_card(request, str(card_number))
            if result.row is None:
                return render_client(result)
            return html.Div([render_client(result), render_client_path(history.client_path(request, result.card))])

        return safely(card)

    def update_tree(self, active_tab, start, end, pins, selection):
        """The list tree with counts, the selected node marked, and the period's pharmacies for the filter."""
        if active_tab != ids.TAB_FINAL:
            return no_update, no_update
        try:
            request = self._request(start, end, pins)
            tree = self.services.final.segment_tree(request)
            shops = self.services.final.shop_names(request)
        except Exception as exc:  # shown in place of the tree
            return error_component(exc), []
        selected = self.services.final.segment(selection).node_id
        return tree_list(tree, selected=selected), [{"label": s, "value": s} for s in shops]

    def update_sunburst(self, active_tab, start, end, pins, selection):
        """The sunburst centred on the selection."""
        if active_tab != ids.TAB_FINAL:
            return no_update
        try:
            tree = self.services.final.segment_tree(self._request(start, end, pins))
        except Exception as exc:  # the message is in the tree panel
            return render_sunburst_error(exc)
        return render_sunburst(tree, self.services.final.segment(selection))

    def select_segment(self, tree_click, sunburst_click, _reset, _crumb_clicks, current):
        """The selected node: a list-tree click ({node, at} from assets/tree.js) or a breadcrumb click, a sunburst
        click (the centre goes one level up) or «Сбросить»."""
        trigger = ctx.triggered_id
        if trigger is None:
            return no_update
        if trigger == ids.FINAL.TREE_CLICK:
            return tree_click_node(tree_click, current)
        if trigger == ids.FINAL.SEGMENT_RESET:
            return self.services.final.segment(None).node_id
        if trigger == ids.FINAL.SUNBURST:
            points = (sunburst_click or {}).get("points") or []
            node = points[0].get("id") if points else None
            if not node:
                return no_update
            return self.services.final.sunburst_target(node, current)
        if not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update  # a re-rendered breadcrumb, not a click
        return trigger["node"]

    def show_selection(self, selection):
        """Breadcrumb of the selected segment (the list tree's node is highlighted in the browser: mark_tree)."""
        return render_breadcrumb(self.services.final.segment(selection))

    def update_selection(self, active_tab, start, end, pins, *flt):
        """Summary, client count, RFM scatter and breakdown of the filtered selection."""
        if active_tab != ids.TAB_FINAL:
            return no_update, no_update, no_update, no_update, no_update
        final = self.services.final
        try:
            return render_selection(final.selection(self._request(start, end, pins), final.client_filter(*flt)))
        except Exception as exc:  # the boundary between the engine and the page
            return render_selection_error(error_component(exc))

    def grid_rows(self, grid_request, active_tab, start, end, pins, *flt):
        """One block of the client table for AG Grid's infinite row model (server-side paging, sort and filter)."""
        if not grid_request:
            return no_update
        if active_tab != ids.TAB_FINAL:  # answer at once (an unanswered block leaves the grid waiting for good);
            return EMPTY_PAGE  # showing «Финал» purges the grid, which then asks again
        final = self.services.final
        try:
            rows, count = final.client_page(
                self._request(start, end, pins),
                final.client_filter(*flt, grid_request.get("filterModel")),
                grid_request.get("startRow", 0),
                grid_request.get("endRow", 0),
                grid.sort_keys(grid_request.get("sortModel")),
            )
        except Exception:  # the summary above the table shows the message
            return EMPTY_PAGE
        return {"rowData": rows, "rowCount": count}

    def download_csv(self, _clicks, start, end, pins, *state):
        """«Скачать CSV»: a short-lived link to the whole filtered selection (not the visible page) in the table's
        order, streamed by `dashboard.downloads`; the state is checked here, so errors show next to the button."""
        *flt, column_state, csv_format, csv_names = state
        try:
            export = ClientListExport(
                self._request(start, end, pins),
                self.services.final.client_filter(*flt),
                grid.sort_keys(column_state),
                csv_format or "excel",
                csv_names or "ru",
            )
            name, token = self.services.exports.keep_client_list(export)
        except Exception as exc:
            return no_update, error_component(exc)
        return downloads.client_list_url(token), note(f"Файл {name} скачивается.")

    def download_report(self, _clicks, start, end, pins, *flt):
        """«Скачать отчёт»: the segment report (HTML) of the filtered selection."""
        try:
            request = self._request(start, end, pins)
            name, text = self.services.exports.segment_report(request, self.services.final.client_filter(*flt), "html")
        except Exception as exc:
            return no_update, error_component(exc)
        return dcc.send_string(text, name, type="text/html"), note(f"Отчёт {name} сформирован.")

    @staticmethod
    def open_clicked_client(click, clicks):
        """A click on a scatter point puts its card into the lookup and presses «Найти»."""
        points = (click or {}).get("points") or []
        data = points[0].get("customdata") if points else None
        if not data:
            return no_update, no_update
        return str(data[0] if isinstance(data, (list, tuple)) else data), (clicks or 0) + 1


def final_selection(services: Services, start, end, pins, *flt) -> FinalSelection:
    """The campaign form's selection: the period's classification, the segment and the filters (as the table)."""
    return FinalSelection(services.requests.build(start, end, pins), services.final.client_filter(*flt))


def selection_key_inputs(*inputs) -> tuple:
    """The selection's inputs as its drawn key takes them: the client grid's filter model last, an empty one as none
    (the grid reports `{}` once it starts: the same selection, not a reason to send the scatter's ~3 MB again)."""
    *others, filter_model = inputs
    return (*others, filter_model or None)


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = FinalCallbacks(services)
    period = [
        *PERIOD_AND_PINS,
    ]
    period_states = [State(i.component_id, i.component_property) for i in period]
    filter_inputs = [
        Input(ids.FINAL.SELECTION, "data"),
        Input(ids.FINAL.FILTER_SHOPS, "value"),
        Input(ids.FINAL.FILTER_R, "value"),
        Input(ids.FINAL.FILTER_F, "value"),
        Input(ids.FINAL.FILTER_M, "value"),
        Input(ids.FINAL.FILTER_A, "value"),
        Input(ids.FINAL.FILTER_CARD, "value"),
    ]
    filter_states = as_states(filter_inputs)
    grid_filter_state = State(ids.FINAL.CLIENT_GRID, "filterModel")
    # each part of the tab keeps the key of what it shows (see FinalCallbacks.unless_drawn)
    drawn = {
        part: (Output(store, "data"), State(store, "data"))
        for part, store in (
            ("body", ids.FINAL.DRAWN_BODY),
            ("card", ids.FINAL.DRAWN_CARD),
            ("tree", ids.FINAL.DRAWN_TREE),
            ("sunburst", ids.FINAL.DRAWN_SUNBURST),
            ("selection", ids.FINAL.DRAWN_SELECTION),
        )
    }
    app.callback(Output(ids.FINAL.BODY, "children"), drawn["body"][0], ACTIVE_TAB, *period, drawn["body"][1])(
        callbacks.unless_drawn(callbacks.update_final, lambda tab, start, end, pins: (tab, start, end, pins))
    )
    app.callback(
        Output(ids.FINAL.CARD_RESULT, "children"),
        drawn["card"][0],
        Input(ids.FINAL.CARD_BUTTON, "n_clicks"),
        Input(ids.FINAL.CARD_INPUT, "n_submit"),
        ACTIVE_TAB,
        *period,
        State(ids.FINAL.CARD_INPUT, "value"),
        drawn["card"][1],
    )(
        callbacks.unless_drawn(
            callbacks.lookup_card,
            lambda clicks, submits, tab, start, end, pins, card: (tab, start, end, pins, clicks, submits, card),
        )
    )
    app.callback(
        Output(ids.FINAL.TREE, "children"),
        Output(ids.FINAL.FILTER_SHOPS, "options"),
        drawn["tree"][0],
        ACTIVE_TAB,
        *period,
        State(ids.FINAL.SELECTION, "data"),
        drawn["tree"][1],
    )(  # a later selection is marked by show_selection: the tree depends on the period and pins only
        callbacks.unless_drawn(callbacks.update_tree, lambda tab, start, end, pins, _selection: (tab, start, end, pins))
    )
    app.callback(
        Output(ids.FINAL.SUNBURST, "figure"),
        drawn["sunburst"][0],
        ACTIVE_TAB,
        *period,
        Input(ids.FINAL.SELECTION, "data"),
        drawn["sunburst"][1],
    )(callbacks.unless_drawn(callbacks.update_sunburst, lambda *inputs: inputs))
    app.callback(
        Output(ids.FINAL.SELECTION, "data"),
        Input(ids.FINAL.TREE_CLICK, "data"),
        Input(ids.FINAL.SUNBURST, "clickData"),
        Input(ids.FINAL.SEGMENT_RESET, "n_clicks"),
        Input(ids.breadcrumb_node(ANY), "n_clicks"),
        State(ids.FINAL.SELECTION, "data"),
        prevent_initial_call=True,
    )(callbacks.select_segment)
    app.callback(Output(ids.FINAL.BREADCRUMB, "children"), Input(ids.FINAL.SELECTION, "data"))(callbacks.show_selection)
    app.clientside_callback(
        mark_tree(ids.FINAL.TREE),
        Input(ids.FINAL.SELECTION, "data"),
        Input(ids.FINAL.TREE, "children"),
        prevent_initial_call=True,
    )
    app.callback(
        Output(ids.FINAL.SELECTION_SUMMARY, "children"),
        Output(ids.FINAL.CLIENT_COUNT, "children"),
        Output(ids.FINAL.CLIENT_FILTERS, "children"),
        Output(ids.FINAL.SCATTER, "figure"),
        Output(ids.FINAL.BREAKDOWN, "children"),
        drawn["selection"][0],
        ACTIVE_TAB,
        *period,
        *filter_inputs,
        Input(ids.FINAL.CLIENT_GRID, "filterModel"),
        drawn["selection"][1],
    )(callbacks.unless_drawn(callbacks.update_selection, selection_key_inputs))
    app.callback(
        Output(ids.FINAL.CLIENT_GRID, "getRowsResponse"),
        Input(ids.FINAL.CLIENT_GRID, "getRowsRequest"),
        *as_states([ACTIVE_TAB]),
        *period_states,
        *filter_states,
    )(callbacks.grid_rows)
    app.clientside_callback(PURGE_GRID, ACTIVE_TAB, *period, *filter_inputs, prevent_initial_call=True)
    app.callback(
        Output(ids.FINAL.CSV_LINK, "data"),
        Output(ids.FINAL.EXPORT_MESSAGE, "children"),
        Input(ids.FINAL.CSV_BUTTON, "n_clicks"),
        *period_states,
        *filter_states,
        grid_filter_state,
        State(ids.FINAL.CLIENT_GRID, "columnState"),
        State(ids.FINAL.CSV_FORMAT, "value"),
        State(ids.FINAL.CSV_NAMES, "value"),
        prevent_initial_call=True,
    )(callbacks.download_csv)
    app.clientside_callback(OPEN_DOWNLOAD, Input(ids.FINAL.CSV_LINK, "data"), prevent_initial_call=True)
    app.callback(
        Output(ids.FINAL.REPORT_DOWNLOAD, "data"),
        Output(ids.FINAL.EXPORT_MESSAGE, "children", allow_duplicate=True),
        Input(ids.FINAL.REPORT_BUTTON, "n_clicks"),
        *period_states,
        *filter_states,
        grid_filter_state,
        prevent_initial_call=True,
    )(callbacks.download_report)
    register_form(app, services, CAMPAIGN_FORM, [*period_states, *filter_states, grid_filter_state], final_selection)
    app.callback(
        Output(ids.FINAL.CARD_INPUT, "value"),
        Output(ids.FINAL.CARD_BUTTON, "n_clicks"),
        Input(ids.FINAL.SCATTER, "clickData"),
        State(ids.FINAL.CARD_BUTTON, "n_clicks"),
        prevent_initial_call=True,
    )(callbacks.open_clicked_client)
