"""Every table's «CSV» / «XLSX» button and «Скачать всё в Excel»: the page's inputs → request → TableDownloads →
the file (one callback for every tab's buttons, matched by their pattern ids)."""

from __future__ import annotations

from dash import ALL as ANY
from dash import Input, Output, State, ctx, dcc, no_update

from callbacks.common import PERIOD_AND_PINS, as_states, error_component
from dashboard import ids
from dashboard.services import Services
from dashboard.services.tables import Selection
from dashboard.services.workbook import ThresholdSource

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TablesCallbacks:
    """The download callback as a plain method (testable without a browser); `register` wires it."""

    def __init__(self, services: Services):
        self.services = services

    def download(self, _clicks, start, end, draft, bonus_date, level, value, card):
        """(the file for dcc.Download, a message) of the clicked button; a refusal or an error is said in Russian."""
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
            return no_update, no_update  # a button drawn again, not a click
        s = self.services
        selection = Selection(
            bonus_date=bonus_date or None, level=level or "region", value=value or "clients", card=card
        )
        try:
            request = s.requests.build(start, end, draft)
            if trigger["table"] == ids.WORKBOOK:
                name, data = s.downloads.workbook_file(request, selection, self.threshold_source(draft))
            else:
                name, data = s.downloads.table_file(trigger["table"], trigger["kind"], request, selection)
        except Exception as exc:  # the message says why; nothing is downloaded
            return no_update, error_component(exc)
        kind = "text/csv" if name.endswith(".csv") else XLSX
        return dcc.send_bytes(data, name, type=kind), None

    def threshold_source(self, draft) -> ThresholdSource:
        """Whose thresholds the page uses: the user's draft, the chain's set, or suggestions when there is none."""
        if draft is not None:
            return ThresholdSource("draft")
        chain = self.services.threshold_sets.current()
        if chain is None:
            return ThresholdSource("suggested")
        return ThresholdSource("chain", chain.saved_by, chain.saved_at)


def register(app, services: Services) -> None:
    """Wire the download callback to the app."""
    callbacks = TablesCallbacks(services)
    app.callback(
        Output(ids.SHELL.DOWNLOAD, "data"),
        Output(ids.SHELL.DOWNLOAD_MESSAGE, "children"),
        Input(ids.table_download(ANY, ANY), "n_clicks"),
        *as_states(PERIOD_AND_PINS),
        State(ids.MIGRATION.BONUS_DATE, "date"),
        State(ids.MIGRATION.LEVEL, "value"),
        State(ids.MIGRATION.VALUE, "value"),
        State(ids.FINAL.CARD_INPUT, "value"),
        prevent_initial_call=True,
    )(callbacks.download)
