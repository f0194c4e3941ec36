"""Tab «Миграция»: bonus date, level and value → request → MigrationService → render_migration; a click on a flow
(a Sankey link or a matrix cell) → that flow's clients in the table, with «Скачать CSV»."""

from __future__ import annotations

from dash import ALL as ANY
from dash import Input, Output, State, ctx, no_update

from callbacks.common import ACTIVE_TAB, PERIOD, PERIOD_AND_PINS, as_states, error_component, purge_grid, safely
from callbacks.final import EMPTY_PAGE, OPEN_DOWNLOAD
from dashboard import downloads, grid, ids
from dashboard.services import Services
from dashboard.services.exports import FlowExport
from dashboard.services.migration import bonus_date_inside
from layouts.components import note
from layouts.migration import FLOW_PROMPT, NO_SANKEY, flow_key, render_flow, render_migration, render_placebo

# Refresh the flow table when the flow, the bonus date, the period or the pins change, or the tab is shown: purge
# AG Grid's infinite cache so it asks the server for rows again (its own sort refreshes it by itself).
PURGE_FLOW_GRID = purge_grid(ids.MIGRATION.FLOW_GRID)


# what makes a selected flow stale: the level, the bonus date, the period (its two ends share one id)
FLOW_RESETS = (ids.MIGRATION.LEVEL, ids.MIGRATION.BONUS_DATE, ids.HEADER.PERIOD)


def bonus_bounds(start: str | None, end: str | None, current: str | None):
    """The bonus date may be picked only inside the period; one left outside by a new period moves inside it."""
    inside = bonus_date_inside(start, end, current)
    return (start[:10] if start else None), (end[:10] if end else None), no_update if inside == current else inside


class MigrationCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def update(self, active_tab, bonus_date, level, value, start, end, pins):
        """The body, the Sankey and the matrix for the bonus date (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_MIGRATION:
            return None, no_update, None
        s = self.services
        try:
            view = s.migration.view(s.requests.build(start, end, pins), bonus_date)
        except Exception as exc:  # the message takes the body's place
            return error_component(exc), NO_SANKEY, None
        return render_migration(view, level or "region", value or "clients")

    def placebo(self, active_tab, bonus_date, start, end, pins):
        """The placebo check of the bonus date (nothing while the tab is hidden; an error is the body's to say)."""
        if active_tab != ids.TAB_MIGRATION:
            return None
        s = self.services
        try:
            return render_placebo(s.migration.placebo(s.requests.build(start, end, pins), bonus_date))
        except Exception:  # the migration's body above shows the message
            return None

    @staticmethod
    def select_flow(_cell_clicks, sankey_click, *_resets):
        """The flow key of a clicked matrix cell or Sankey link (a node click or a re-rendered matrix: no change);
        a new level, bonus date or period clears it (the table goes back to the prompt: the flow it showed belongs
        to what was on screen before)."""
        trigger = ctx.triggered_id
        if trigger == ids.MIGRATION.SANKEY:
            points = (sankey_click or {}).get("points") or []
            key = points[0].get("customdata") if points else None
            return key if isinstance(key, str) and key.count("|") == 2 else no_update  # nodes carry no flow key
        if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
            return flow_key(trigger["flow"])
        if trigger in FLOW_RESETS:
            return None
        return no_update

    def show_flow(self, flow_key, active_tab, bonus_date, start, end, pins):
        """The count line naming the selected flow (a prompt before any flow is picked)."""
        if active_tab != ids.TAB_MIGRATION:
            return no_update
        if not flow_key:
            return FLOW_PROMPT
        s = self.services
        return safely(
            lambda: render_flow(
                s.migration.flow_view(s.requests.build(start, end, pins), bonus_date, s.migration.flow(flow_key))
            )
        )

    def flow_rows(self, grid_request, active_tab, flow_key, bonus_date, start, end, pins):
        """One block of the flow's client table for AG Grid's infinite row model (server-side paging and sort)."""
        if not grid_request:
            return no_update
        if active_tab != ids.TAB_MIGRATION or not flow_key:  # answer at once; showing the tab or a flow purges
            return EMPTY_PAGE
        s = self.services
        try:
            rows, count = s.migration.flow_page(
                s.requests.build(start, end, pins),
                bonus_date,
                s.migration.flow(flow_key),
                grid_request.get("startRow", 0),
                grid_request.get("endRow", 0),
                grid.sort_keys(grid_request.get("sortModel")),
            )
        except Exception:  # the count line above the table shows the message
            return EMPTY_PAGE
        return {"rowData": rows, "rowCount": count}

    def download_csv(self, _clicks, flow_key, bonus_date, start, end, pins, column_state):
        """«Скачать CSV»: a short-lived link to the flow's clients in the table's order (streamed by
        `dashboard.downloads`); the state is checked here, so errors show next to the button."""
        s = self.services
        try:
            request = s.requests.build(start, end, pins)
            export = FlowExport(
                request, s.migration.bonus(bonus_date), s.migration.flow(flow_key), grid.sort_keys(column_state)
            )
            name, token = s.exports.keep_client_list(export)
        except Exception as exc:
            return no_update, error_component(exc)
        return downloads.client_list_url(token), note(f"Файл {name} скачивается.")


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = MigrationCallbacks(services)
    bonus = Input(ids.MIGRATION.BONUS_DATE, "date")
    app.callback(
        Output(ids.MIGRATION.BONUS_DATE, "min_date_allowed"),
        Output(ids.MIGRATION.BONUS_DATE, "max_date_allowed"),
        Output(ids.MIGRATION.BONUS_DATE, "date"),
        *PERIOD,
        State(ids.MIGRATION.BONUS_DATE, "date"),
    )(bonus_bounds)
    app.callback(
        Output(ids.MIGRATION.BODY, "children"),
        Output(ids.MIGRATION.SANKEY, "figure"),
        Output(ids.MIGRATION.MATRIX, "children"),
        ACTIVE_TAB,
        bonus,
        Input(ids.MIGRATION.LEVEL, "value"),
        Input(ids.MIGRATION.VALUE, "value"),
        *PERIOD_AND_PINS,
    )(callbacks.update)
    app.callback(Output(ids.PLACEBO.BODY, "children"), ACTIVE_TAB, bonus, *PERIOD_AND_PINS)(callbacks.placebo)
    app.callback(
        Output(ids.MIGRATION.FLOW, "data"),
        Input(ids.migration_flow(ANY), "n_clicks"),
        Input(ids.MIGRATION.SANKEY, "clickData"),
        Input(ids.MIGRATION.LEVEL, "value"),
        bonus,
        *PERIOD,
        prevent_initial_call=True,
    )(callbacks.select_flow)
    flow_and_state = [Input(ids.MIGRATION.FLOW, "data"), ACTIVE_TAB, bonus, *PERIOD_AND_PINS]
    app.callback(Output(ids.MIGRATION.FLOW_COUNT, "children"), *flow_and_state)(callbacks.show_flow)
    app.callback(
        Output(ids.MIGRATION.FLOW_GRID, "getRowsResponse"),
        Input(ids.MIGRATION.FLOW_GRID, "getRowsRequest"),
        *as_states([ACTIVE_TAB, *flow_and_state[:1], *flow_and_state[2:]]),
    )(callbacks.flow_rows)
    app.clientside_callback(PURGE_FLOW_GRID, *flow_and_state, prevent_initial_call=True)
    app.callback(
        Output(ids.MIGRATION.FLOW_CSV_LINK, "data"),
        Output(ids.MIGRATION.FLOW_EXPORT_MESSAGE, "children"),
        Input(ids.MIGRATION.FLOW_CSV_BUTTON, "n_clicks"),
        *as_states(flow_and_state[:1] + flow_and_state[2:]),
        State(ids.MIGRATION.FLOW_GRID, "columnState"),
        prevent_initial_call=True,
    )(callbacks.download_csv)
    app.clientside_callback(OPEN_DOWNLOAD, Input(ids.MIGRATION.FLOW_CSV_LINK, "data"), prevent_initial_call=True)
