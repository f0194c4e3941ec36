"""Tab «Кампании»: the tab shown → the campaign list; a picked campaign → its report, uplift chart and responders
(table pages and «Скачать CSV»)."""

from __future__ import annotations

from dash import Input, Output, State, no_update

from callbacks.common import ACTIVE_TAB, PERIOD_AND_PINS, as_states, error_component, purge_grid
from callbacks.final import EMPTY_PAGE, OPEN_DOWNLOAD
from dashboard import downloads, grid, ids
from dashboard.services import Services
from dashboard.services.campaigns import CampaignExport
from layouts.campaigns import NO_UPLIFT, RESPONDERS_PROMPT, render_list, render_report
from layouts.components import note

PURGE_RESPONDERS = purge_grid(ids.CAMPAIGNS.RESPONDERS_GRID)


class CampaignsCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def update_list(self, active_tab, start, end, pins, picked):
        """The list and the pick's options (the picked campaign kept, else the newest); nothing while hidden."""
        if active_tab != ids.TAB_CAMPAIGNS:
            return no_update, no_update, no_update
        s = self.services
        try:
            rows = s.campaigns.rows(s.requests.build(start, end, pins))
        except Exception as exc:
            return error_component(exc), [], None
        body, options = render_list(rows)
        names = [o["value"] for o in options]
        value = picked if picked in names else (names[0] if names else None)
        return body, options, value if value != picked else no_update

    def update_report(self, picked, active_tab, start, end, pins):
        """The picked campaign's report, chart and responders' count line."""
        if active_tab != ids.TAB_CAMPAIGNS:
            return no_update, no_update, no_update
        if not picked:
            return None, NO_UPLIFT, RESPONDERS_PROMPT
        s = self.services
        try:
            report = s.campaigns.report(s.requests.build(start, end, pins), picked)
        except Exception as exc:
            return error_component(exc), NO_UPLIFT, RESPONDERS_PROMPT
        return render_report(report)

    def responder_rows(self, grid_request, active_tab, picked, start, end, pins):
        """One block of the responders' table for AG Grid's infinite row model."""
        if not grid_request:
            return no_update
        if active_tab != ids.TAB_CAMPAIGNS or not picked:
            return EMPTY_PAGE
        s = self.services
        try:
            rows, count = s.campaigns.responders_page(
                s.requests.build(start, end, pins),
                picked,
                grid_request.get("startRow", 0),
                grid_request.get("endRow", 0),
                grid.sort_keys(grid_request.get("sortModel")),
            )
        except Exception:  # the count line shows the message
            return EMPTY_PAGE
        return {"rowData": rows, "rowCount": count}

    def download_csv(self, _clicks, picked, start, end, pins, column_state):
        """«Скачать CSV» of the responders (a manager or an administrator; streamed by dashboard.downloads)."""
        s = self.services
        try:
            if not picked:
                raise ValueError
            export = CampaignExport(
                s.requests.build(start, end, pins), str(picked), "responders", grid.sort_keys(column_state)
            )
            name, token = s.exports.keep_client_list(export)
        except ValueError:
            return no_update, note("Выберите кампанию.")
        except Exception as exc:
            return no_update, error_component(exc)
        return downloads.client_list_url(token), note(f"Файл {name} скачивается.")


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = CampaignsCallbacks(services)
    pick = Input(ids.CAMPAIGNS.PICK, "value")
    app.callback(
        Output(ids.CAMPAIGNS.BODY, "children"),
        Output(ids.CAMPAIGNS.PICK, "options"),
        Output(ids.CAMPAIGNS.PICK, "value"),
        ACTIVE_TAB,
        *PERIOD_AND_PINS,
        State(ids.CAMPAIGNS.PICK, "value"),
    )(callbacks.update_list)
    app.callback(
        Output(ids.CAMPAIGNS.REPORT, "children"),
        Output(ids.CAMPAIGNS.UPLIFT, "figure"),
        Output(ids.CAMPAIGNS.RESPONDERS_COUNT, "children"),
        pick,
        ACTIVE_TAB,
        *PERIOD_AND_PINS,
    )(callbacks.update_report)
    app.callback(
        Output(ids.CAMPAIGNS.RESPONDERS_GRID, "getRowsResponse"),
        Input(ids.CAMPAIGNS.RESPONDERS_GRID, "getRowsRequest"),
        *as_states([ACTIVE_TAB, pick, *PERIOD_AND_PINS]),
    )(callbacks.responder_rows)
    app.clientside_callback(PURGE_RESPONDERS, pick, ACTIVE_TAB, prevent_initial_call=True)
    app.callback(
        Output(ids.CAMPAIGNS.CSV_LINK, "data"),
        Output(ids.CAMPAIGNS.EXPORT_MESSAGE, "children"),
        Input(ids.CAMPAIGNS.CSV_BUTTON, "n_clicks"),
        *as_states([pick, *PERIOD_AND_PINS]),
        State(ids.CAMPAIGNS.RESPONDERS_GRID, "columnState"),
        prevent_initial_call=True,
    )(callbacks.download_csv)
    app.clientside_callback(OPEN_DOWNLOAD, Input(ids.CAMPAIGNS.CSV_LINK, "data"), prevent_initial_call=True)
