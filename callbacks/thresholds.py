"""Tab «Пороги»: inputs → request → ThresholdsService (edit = pin, clear = unpin, reset; the result is the user's
draft) → the editor's renderers; the chain's threshold-set history; sub-tab → research → render_research."""

from __future__ import annotations

from dash import ALL, Input, Output, ctx, no_update

from callbacks.common import ACTIVE_TAB, PERIOD, PERIOD_AND_PINS, error_component, safely
from core.model import THRESHOLD_NAMES
from dashboard import ids
from dashboard.services import Services
from dashboard.services.thresholds import display_value
from layouts.thresholds import (
    input_classes,
    input_hints,
    render_history,
    render_rejection,
    render_research,
    render_status,
    render_warnings,
)


class ThresholdsCallbacks:
    """The tab's callbacks as plain methods (testable without a browser); `register` wires them."""

    def __init__(self, services: Services):
        self.services = services

    def edit(self, values, _reset, active_tab, start, end, draft):
        """One callback owns the inputs and the draft store (they feed each other): no cycle between callbacks."""
        names = [item["id"]["name"] for item in ctx.inputs_list[0]] if ctx.inputs_list else list(THRESHOLD_NAMES)
        trigger = ctx.triggered_id
        user_edit = trigger == ids.THRESHOLDS.RESET or isinstance(trigger, dict)
        if active_tab != ids.TAB_THRESHOLDS and not user_edit:
            unchanged = [no_update] * len(names)
            return unchanged, unchanged, unchanged, unchanged, no_update, no_update, no_update, no_update
        return self.editor(names, values, trigger, start, end, draft)

    def editor(self, names, values, trigger, start, end, draft):
        """Outputs: input values, input classes, input invalid flags, hints, draft store, error, warnings, status."""
        typed = dict(zip(names, values, strict=False))
        name = trigger.get("name") if isinstance(trigger, dict) and trigger.get("name") in typed else None
        unchanged = [no_update] * len(names)
        try:
            request = self.services.requests.build(start, end, draft)
            edit = self.services.thresholds.edit(request, name, typed.get(name), reset=trigger == ids.THRESHOLDS.RESET)
        except Exception as exc:  # the pins in force do not fit this period (the header offers a way out), no data
            return unchanged, unchanged, [False] * len(names), unchanged, no_update, error_component(exc), None, ""
        flags = [n == edit.rejected for n in names]
        if edit.suggestion is None or edit.suggestion.thresholds is None:  # not a number: keep everything else
            return unchanged, unchanged, flags, unchanged, no_update, render_rejection(edit.error), no_update, no_update
        thresholds = edit.suggestion.thresholds.as_dict()
        pinned = set(edit.pins)
        shown = [no_update if n == edit.rejected else display_value(thresholds[n]) for n in names]
        return (
            shown,
            input_classes(names, pinned),
            flags,
            input_hints(names, pinned),
            edit.draft if edit.changed else no_update,
            render_rejection(edit.error) if edit.error else None,
            render_warnings(edit.suggestion.warnings),
            render_status(edit.suggestion, pinned),
        )

    def history(self, active_tab: str, _draft):
        """The chain's threshold sets, newest first (re-read after a save, which clears the draft)."""
        if active_tab != ids.TAB_THRESHOLDS:
            return no_update
        return safely(lambda: render_history(self.services.thresholds.history()))

    def research(self, active_tab: str, subtab: str, start, end, pins):
        """The active sub-tab's statistics and charts (nothing while the tab is hidden)."""
        if active_tab != ids.TAB_THRESHOLDS:
            return None
        s = self.services
        return safely(lambda: render_research(subtab, s.thresholds.research(s.requests.build(start, end, pins))))


def register(app, services: Services) -> None:
    """Wire the tab's callbacks to the app."""
    callbacks = ThresholdsCallbacks(services)
    app.callback(
        Output(ids.threshold_input(ALL), "value"),
        Output(ids.threshold_input(ALL), "className"),
        Output(ids.threshold_input(ALL), "invalid"),
        Output(ids.threshold_hint(ALL), "children"),
        Output(ids.SHELL.DRAFT, "data"),
        Output(ids.THRESHOLDS.ERROR, "children"),
        Output(ids.THRESHOLDS.WARNINGS, "children"),
        Output(ids.THRESHOLDS.STATUS, "children"),
        Input(ids.threshold_input(ALL), "value"),
        Input(ids.THRESHOLDS.RESET, "n_clicks"),
        ACTIVE_TAB,
        *PERIOD,
        Input(ids.SHELL.DRAFT, "data"),  # also this callback's output: the header's buttons change the draft too
    )(callbacks.edit)
    app.callback(
        Output(ids.THRESHOLDS.HISTORY, "children"),
        ACTIVE_TAB,
        Input(ids.SHELL.DRAFT, "data"),
    )(callbacks.history)
    app.callback(
        Output(ids.THRESHOLDS.BODY, "children"),
        ACTIVE_TAB,
        Input(ids.THRESHOLDS.SUBTABS, "active_tab"),
        *PERIOD_AND_PINS,
    )(callbacks.research)
