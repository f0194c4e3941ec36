"""Page-level callbacks: the period presets."""

from __future__ import annotations

from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.shell import ShellCallbacks
from dashboard import ids
from tests.support.dashboard import FULL


def press(services, button: str | None):
    triggered = [{"prop_id": f"{button}.n_clicks", "value": 1}] if button else []
    token = context_value.set(AttributeDict(triggered_inputs=triggered))
    try:
        return ShellCallbacks(services).apply_preset(1, None, None, None, *FULL)
    finally:
        context_value.reset(token)


def test_each_preset_button_sets_its_period(services):
    assert press(services, ids.HEADER.PRESET_ALL) == FULL
    assert press(services, ids.HEADER.PRESET_QUARTER) == ("2022-04-01", "2022-06-30")
    assert press(services, ids.HEADER.PRESET_MONTH) == ("2022-06-01", "2022-06-30")
    assert press(services, ids.HEADER.PRESET_YEAR) == ("2021-07-01", "2022-06-30")
    assert [type(v).__name__ for v in press(services, None)] == ["NoUpdate", "NoUpdate"]


def test_the_header_warns_under_a_short_period():
    assert ShellCallbacks.period_note("2022-06-01", "2022-06-30").startswith("Период короткий")
    assert ShellCallbacks.period_note(*FULL) is None
