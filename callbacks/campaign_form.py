"""«Создать кампанию» on any tab: open the form, then form values + the tab's selection → CampaignsService.create →
the target list's streamed download. `register_form` wires one tab's form; the tab says how its State values become
a selection (`dashboard.services.campaigns.CampaignSelection`), so the cards are computed on the server."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dash import Input, Output, State, no_update

from callbacks.common import error_component
from dashboard import downloads, ids
from dashboard.services import Services
from dashboard.services.campaigns import CampaignExport, CampaignSelection
from layouts.campaign_form import render_created

SelectionOf = Callable[..., CampaignSelection]  # (services, *the tab's State values) → the selection


class CampaignFormCallbacks:
    """One tab's form as plain methods (testable without a browser)."""

    def __init__(self, services: Services, selection_of: SelectionOf, tab: str = "final"):
        self.services = services
        self.tab = tab
        self.selection_of = selection_of

    def toggle(self, _open_clicks, _close_clicks, is_open):
        """Open the form (with the global control group's note); «Закрыть» (or the button again) closes it."""
        if is_open:  # «Закрыть» is on the open form only
            return False, no_update, no_update
        try:
            note = self.services.campaigns.global_note()
        except Exception as exc:
            return True, error_component(exc), None
        return True, note, None

    def create(self, _clicks, name, control, window, *selection_values):
        """Store the campaign and start the target list's download; a refusal (role, taken name, bad share, empty
        selection) is one message and stores nothing."""
        s = self.services
        try:
            name, share, days = s.campaigns.parse_form(name, control, window)
            selection = self.selection_of(s, *selection_values)
            created = s.campaigns.create(selection, name, share, days)
            _, token = s.exports.keep_client_list(CampaignExport(selection.request, created.campaign.name, "target"))
        except Exception as exc:
            return no_update, error_component(exc)
        return downloads.client_list_url(token), render_created(created.campaign, created.file_name)


def register_form(app, services: Services, tab: str, states: Sequence[State], selection_of: SelectionOf) -> None:
    """Wire the form of `tab` (its components: layouts.campaign_form.open_button / modal with the same `tab`);
    `states` are the tab's selection values passed to `selection_of(services, *values)`."""
    from callbacks.final import OPEN_DOWNLOAD  # «Финал» wires its form from callbacks.final itself

    callbacks = CampaignFormCallbacks(services, selection_of, tab)
    app.callback(
        Output(ids.campaign_form("modal", tab), "is_open"),
        Output(ids.campaign_form("global", tab), "children"),
        Output(ids.campaign_form("message", tab), "children"),
        Input(ids.campaign_form("open", tab), "n_clicks"),
        Input(ids.campaign_form("close", tab), "n_clicks"),
        State(ids.campaign_form("modal", tab), "is_open"),
        prevent_initial_call=True,
    )(callbacks.toggle)
    app.callback(
        Output(ids.campaign_form("link", tab), "data"),
        Output(ids.campaign_form("message", tab), "children", allow_duplicate=True),
        Input(ids.campaign_form("create", tab), "n_clicks"),
        State(ids.campaign_form("name", tab), "value"),
        State(ids.campaign_form("control", tab), "value"),
        State(ids.campaign_form("window", tab), "value"),
        *states,
        prevent_initial_call=True,
    )(callbacks.create)
    app.clientside_callback(OPEN_DOWNLOAD, Input(ids.campaign_form("link", tab), "data"), prevent_initial_call=True)
