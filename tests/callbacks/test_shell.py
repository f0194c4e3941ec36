"""Page-level callbacks: the period presets."""

from __future__ import annotations

from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.shell import ShellCallbacks
from core.model import ThresholdPins
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


def act(services, button: str, draft, period=FULL):
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{button}.n_clicks", "value": 1}]))
    try:
        return ShellCallbacks(services).act_on_set(1, None, None, *period, draft)
    finally:
        context_value.reset(token)


def test_saving_a_draft_makes_it_the_chain_set_for_every_page(services):
    callbacks = ShellCallbacks(services)
    assert callbacks.threshold_set(*FULL, {"r1": 40})[0].startswith("Пороги: ваш черновик — r1 = 40.")
    assert act(services, ids.HEADER.SAVE_FOR_CHAIN, {"r1": 40}) == (None, "Сохранено для всей сети.")
    assert services.threshold_sets.current().pins.as_dict() == {"r1": 40}
    assert services.threshold_sets.current().saved_by == "локальный режим (без входа)"
    assert callbacks.threshold_set(*FULL, None)[0].startswith("Пороги: утверждённые для сети — r1 = 40")
    assert services.requests.build(*FULL, None).pins.as_dict() == {"r1": 40}  # another visitor, no draft


def test_discarding_a_draft_follows_the_chain_again(services):
    assert act(services, ids.HEADER.DISCARD_DRAFT, {"r1": 40}) == (None, "")
    assert services.threshold_sets.current() is None


def test_a_set_that_does_not_fit_the_month_is_one_message_and_one_click_fixes_it(services):
    month = ("2022-06-01", "2022-06-30")
    services.threshold_sets.save(ThresholdPins(r1=21), "анна", "панель")
    callbacks = ShellCallbacks(services)
    _text, _save, _discard, box, message, label = callbacks.threshold_set(*month, None)
    assert "d-none" not in box and "r1 = 21 должен быть меньше r2" in message
    assert label == "Открепить r1 для этого периода"
    draft, notice = act(services, ids.HEADER.FIT_PERIOD, None, month)
    assert draft == {} and notice == "Пороги откреплены в вашем черновике."
    assert "d-none" in callbacks.threshold_set(*month, draft)[3]  # fits now
    refused = act(services, ids.HEADER.SAVE_FOR_CHAIN, {"r1": 21, "a1": 30}, month)
    assert refused[1] == "Не сохранено: набор не подходит выбранному периоду."
    assert services.threshold_sets.current().pins.as_dict() == {"r1": 21}


def test_an_unreachable_application_database_is_said_without_its_address(services, monkeypatch):
    from core.db import DatabaseError

    def refuse(*_args):
        raise DatabaseError("база приложения недоступна: connection to server at 10.0.0.7 port 5432 failed")

    monkeypatch.setattr(services.threshold_sets, "save", refuse)
    draft, notice = act(services, ids.HEADER.SAVE_FOR_CHAIN, {"r1": 40})
    assert type(draft).__name__ == "NoUpdate" and "журнал сервера" in notice and "10.0.0.7" not in notice
