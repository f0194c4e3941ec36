"""Tab «Когорты»: the page's inputs → request → CohortsService → layouts.cohorts; a click on a heatmap cell, a cohort
size, a Pareto point or band, a dynamics bar or point → that pick's clients in the table, with «Скачать CSV»."""

from __future__ import annotations

from dash import ALL as ANY
from dash import Input, Output, State, ctx, no_update

from callbacks.campaign_form import register_form
from callbacks.common import (
    ACTIVE_TAB,
    PERIOD_AND_PINS,
    as_states,
    error_component,
    mark_tree,
    purge_grid,
    safely,
    tree_click_node,
)
from callbacks.final import EMPTY_PAGE, OPEN_DOWNLOAD
from core.cohorts import CHAIN
from core.model import RfmaError
from dashboard import downloads, grid, ids
from dashboard.figures.common import message_figure
from dashboard.services import Services
from dashboard.services.cohorts import CohortPickSelection
from dashboard.services.exports import CohortPickExport
from layouts.cohorts import (
    CAMPAIGN_FORM,
    PICK_PROMPT,
    render_cohorts,
    render_dynamics,
    render_pareto,
    render_pick,
    render_tree,
    shop_options,
)
from layouts.components import note

# Refresh the pick's table when the pick, the period or the pins change, or the tab is shown (as «Миграция»'s).
PURGE_PICK_GRID = purge_grid(ids.COHORTS.PICK_GRID)

CLICKED_GRAPHS = (ids.COHORTS.HEATMAP, ids.COHORTS.PARETO, ids.COHORTS.DYNAMICS)


def _error_figure(exc: BaseException):
    return message_figure(str(exc) if str(exc) else "Не удалось построить график.")


class CohortsCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def _request(self, start, end, pins):
        return self.services.requests.build(start, end, pins)

    def update_tree(self, active_tab, start, end, pins, selection):
        """The segment tree with the period's counts (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_COHORTS:
            return no_update
        s = self.services.cohorts
        selected = s.segment(selection).node_id
        return safely(lambda: render_tree(s.segment_tree(self._request(start, end, pins)), selected))

    select_segment = staticmethod(tree_click_node)

    def update_cohorts(self, active_tab, selection, metric, start, end, pins):
        """Breadcrumb, heatmap, its note and the LTV curves of the selected segment."""
        if active_tab != ids.TAB_COHORTS:
            return no_update, no_update, no_update, no_update
        s = self.services.cohorts
        try:
            view = s.cohorts(self._request(start, end, pins), s.segment(selection))
        except Exception as exc:  # the message takes the note's place
            return None, _error_figure(exc), error_component(exc), _error_figure(exc)
        return render_cohorts(view, metric or "retention")

    def update_pareto(self, active_tab, start, end, pins):
        """The two Pareto figures in words, the curve and the bands."""
        if active_tab != ids.TAB_COHORTS:
            return no_update, no_update, no_update
        try:
            return render_pareto(self.services.cohorts.pareto(self._request(start, end, pins)))
        except Exception as exc:
            return error_component(exc), _error_figure(exc), None

    def update_dynamics(self, active_tab, shop, start, end, pins):
        """The pharmacy selector's options, the chart of the chosen scope and its note."""
        if active_tab != ids.TAB_COHORTS:
            return no_update, no_update, no_update, no_update
        try:
            view = self.services.cohorts.dynamics(self._request(start, end, pins))
        except Exception as exc:
            return no_update, no_update, _error_figure(exc), error_component(exc)
        scope = shop if shop in view.shops else CHAIN
        figure, text = render_dynamics(view, scope)
        return shop_options(view), (no_update if scope == shop else scope), figure, text

    @staticmethod
    def select_pick(heatmap_click, pareto_click, dynamics_click, _band_clicks, *_resets):
        """The key of the clicked cell, size bar, Pareto point or band, dynamics bar or point; a new segment,
        pharmacy or period clears it (the table goes back to the prompt)."""
        trigger = ctx.triggered_id
        if isinstance(trigger, dict):  # a band's button (a re-rendered one has no clicks: no change)
            if ctx.triggered and ctx.triggered[0].get("value"):
                return f"band|{trigger['band']}"
            return no_update
        clicks = dict(zip(CLICKED_GRAPHS, (heatmap_click, pareto_click, dynamics_click), strict=True))
        if trigger in clicks:
            points = (clicks[trigger] or {}).get("points") or []
            key = points[0].get("customdata") if points else None
            return key if isinstance(key, str) and key else no_update
        if trigger is not None:
            return None
        return no_update

    def show_pick(self, pick_key, active_tab, start, end, pins):
        """The count line naming the pick (a prompt before any click)."""
        if active_tab != ids.TAB_COHORTS:
            return no_update
        if not pick_key:
            return PICK_PROMPT
        s = self.services.cohorts
        return safely(lambda: render_pick(s.pick_view(self._request(start, end, pins), s.pick(pick_key))))

    def pick_rows(self, grid_request, active_tab, pick_key, start, end, pins):
        """One block of the pick's client table for AG Grid's infinite row model."""
        if not grid_request:
            return no_update
        if active_tab != ids.TAB_COHORTS or not pick_key:
            return EMPTY_PAGE
        s = self.services.cohorts
        try:
            rows, count = s.pick_page(
                self._request(start, end, pins),
                s.pick(pick_key),
                grid_request.get("startRow", 0),
                grid_request.get("endRow", 0),
                grid.sort_keys(grid_request.get("sortModel")),
            )
        except Exception:  # the count line above the table shows the message
            return EMPTY_PAGE
        return {"rowData": rows, "rowCount": count}

    def download_csv(self, _clicks, pick_key, start, end, pins, column_state):
        """«Скачать CSV»: a short-lived link to the pick's clients in the table's order (dashboard.downloads)."""
        s = self.services
        try:
            export = CohortPickExport(
                s.requests.build(start, end, pins), s.cohorts.pick(pick_key), grid.sort_keys(column_state)
            )
            name, token = s.exports.keep_client_list(export)
        except Exception as exc:
            return no_update, error_component(exc)
        return downloads.client_list_url(token), note(f"Файл {name} скачивается.")


def cohort_selection(services: Services, pick_key, start, end, pins) -> CohortPickSelection:
    """The campaign form's selection: the clicked cell's, band's or bar's clients as the table lists them."""
    if not pick_key:
        raise RfmaError("Сначала выберите клиентов: " + PICK_PROMPT[0].lower() + PICK_PROMPT[1:])
    s = services.cohorts
    return s.campaign_selection(services.requests.build(start, end, pins), s.pick(pick_key))


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = CohortsCallbacks(services)
    selection = Input(ids.COHORTS.SELECTION, "data")
    app.callback(
        Output(ids.COHORTS.TREE, "children"),
        ACTIVE_TAB,
        *PERIOD_AND_PINS,
        State(ids.COHORTS.SELECTION, "data"),
    )(callbacks.update_tree)
    app.callback(
        Output(ids.COHORTS.SELECTION, "data"),
        Input(ids.COHORTS.TREE_CLICK, "data"),
        State(ids.COHORTS.SELECTION, "data"),
        prevent_initial_call=True,
    )(callbacks.select_segment)
    app.clientside_callback(
        mark_tree(ids.COHORTS.TREE), selection, Input(ids.COHORTS.TREE, "children"), prevent_initial_call=True
    )
    app.callback(
        Output(ids.COHORTS.BREADCRUMB, "children"),
        Output(ids.COHORTS.HEATMAP, "figure"),
        Output(ids.COHORTS.COHORT_NOTE, "children"),
        Output(ids.COHORTS.LTV, "figure"),
        ACTIVE_TAB,
        selection,
        Input(ids.COHORTS.METRIC, "value"),
        *PERIOD_AND_PINS,
    )(callbacks.update_cohorts)
    app.callback(
        Output(ids.COHORTS.PARETO_HEADLINES, "children"),
        Output(ids.COHORTS.PARETO, "figure"),
        Output(ids.COHORTS.PARETO_BANDS, "children"),
        ACTIVE_TAB,
        *PERIOD_AND_PINS,
    )(callbacks.update_pareto)
    app.callback(
        Output(ids.COHORTS.SHOP, "options"),
        Output(ids.COHORTS.SHOP, "value"),
        Output(ids.COHORTS.DYNAMICS, "figure"),
        Output(ids.COHORTS.DYNAMICS_NOTE, "children"),
        ACTIVE_TAB,
        Input(ids.COHORTS.SHOP, "value"),
        *PERIOD_AND_PINS,
    )(callbacks.update_dynamics)
    app.callback(
        Output(ids.COHORTS.PICK, "data"),
        *[Input(graph, "clickData") for graph in CLICKED_GRAPHS],
        Input(ids.cohort_band(ANY), "n_clicks"),
        selection,
        Input(ids.COHORTS.SHOP, "value"),
        *PERIOD_AND_PINS,
        prevent_initial_call=True,
    )(callbacks.select_pick)
    pick_and_state = [Input(ids.COHORTS.PICK, "data"), ACTIVE_TAB, *PERIOD_AND_PINS]
    app.callback(Output(ids.COHORTS.PICK_COUNT, "children"), *pick_and_state)(callbacks.show_pick)
    app.callback(
        Output(ids.COHORTS.PICK_GRID, "getRowsResponse"),
        Input(ids.COHORTS.PICK_GRID, "getRowsRequest"),
        *as_states([ACTIVE_TAB, pick_and_state[0], *pick_and_state[2:]]),
    )(callbacks.pick_rows)
    app.clientside_callback(PURGE_PICK_GRID, *pick_and_state, prevent_initial_call=True)
    app.callback(
        Output(ids.COHORTS.PICK_CSV_LINK, "data"),
        Output(ids.COHORTS.PICK_EXPORT_MESSAGE, "children"),
        Input(ids.COHORTS.PICK_CSV_BUTTON, "n_clicks"),
        *as_states([pick_and_state[0], *pick_and_state[2:]]),
        State(ids.COHORTS.PICK_GRID, "columnState"),
        prevent_initial_call=True,
    )(callbacks.download_csv)
    app.clientside_callback(OPEN_DOWNLOAD, Input(ids.COHORTS.PICK_CSV_LINK, "data"), prevent_initial_call=True)
    register_form(app, services, CAMPAIGN_FORM, as_states([pick_and_state[0], *pick_and_state[2:]]), cohort_selection)
