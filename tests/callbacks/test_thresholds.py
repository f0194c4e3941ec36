"""«Пороги» callbacks: the editor's outputs for each edit, and the research sub-tabs."""

from __future__ import annotations

import pytest

from callbacks.thresholds import ThresholdsCallbacks
from core.model import THRESHOLD_NAMES
from dashboard import ids
from dashboard.services.thresholds import display_value
from tests.support.components import figures, text
from tests.support.dashboard import EMPTY, FULL


def editor(services, names_values, trigger, pins, period=FULL):
    names = list(names_values)
    return ThresholdsCallbacks(services).editor(names, list(names_values.values()), trigger, *period, pins)


def shown(services, pins=None, period=FULL):
    suggestion = services.thresholds.in_force(services.requests.build(*period, pins or {}))
    return {k: display_value(v) for k, v in suggestion.thresholds.as_dict().items()}


def no_update(value) -> bool:
    return type(value).__name__ == "NoUpdate"


@pytest.mark.parametrize("subtab", [ids.SUBTAB_RECENCY, ids.SUBTAB_FREQUENCY, ids.SUBTAB_MONETARY, ids.SUBTAB_AGE])
def test_each_subtab_has_a_statistics_table_and_charts(services, subtab):
    body = ThresholdsCallbacks(services).research(ids.TAB_THRESHOLDS, subtab, *FULL, {})
    assert "Медиана" in text(body)
    assert len(figures(body)) >= 2


def test_a_hidden_tab_computes_nothing_and_an_empty_period_says_why(services):
    callbacks = ThresholdsCallbacks(services)
    assert callbacks.research(ids.TAB_FINAL, ids.SUBTAB_RECENCY, *FULL, {}) is None
    body = callbacks.research(ids.TAB_THRESHOLDS, ids.SUBTAB_RECENCY, *EMPTY, {})
    assert "нет ни одного чека" in text(body) and figures(body) == []


def test_inputs_show_the_suggested_values_first(services):
    values, _classes, invalid, hints, pins, error, _warnings, status = editor(
        services, dict.fromkeys(THRESHOLD_NAMES), None, {}
    )
    assert values == list(shown(services).values())
    assert hints == ["предложено"] * 9 and invalid == [False] * 9
    assert no_update(pins) and error is None and status.startswith("Все пороги предложены по данным.")


def test_editing_a_threshold_pins_it_in_the_draft_and_regrades(services, make_app, chain_url):
    before = services.thresholds.research(services.requests.build(*FULL)).capacities["r"]["clients"].tolist()
    typed = shown(services) | {"r1": 40}
    _values, classes, _invalid, hints, pins, error, _, status = editor(services, typed, ids.threshold_input("r1"), {})
    assert pins == {"r1": 40}
    assert "rfma-pinned" in classes[0] and hints[0] == "закреплено" and "rfma-pinned" not in classes[1]
    assert error is None and status.startswith("Закреплено: r1.")
    after = services.thresholds.research(services.requests.build(*FULL, pins)).capacities["r"]["clients"].tolist()
    assert after != before
    assert services.threshold_sets.current() is None  # a draft: the chain's set is untouched


def test_an_unordered_threshold_shows_the_error_and_keeps_the_last_valid_set(services):
    typed = shown(services, {"r1": 40}) | {"r1": 500}
    values, _classes, invalid, _hints, pins, error, _, _ = editor(
        services, typed, ids.threshold_input("r1"), {"r1": 40}
    )
    assert "не упорядочены" in text(error) and "остается в силе" in text(error)
    assert invalid == [True] + [False] * 8
    assert no_update(pins)  # the store keeps {"r1": 40}
    assert no_update(values[0]) and values[1] == typed["r2"]  # the typed value stays visible
    assert services.threshold_sets.current() is None


def test_a_value_that_is_not_a_number_marks_only_its_input(services):
    typed = shown(services) | {"m1": "много"}
    values, _classes, invalid, _hints, pins, error, warnings, _ = editor(services, typed, ids.threshold_input("m1"), {})
    assert invalid == [name == "m1" for name in THRESHOLD_NAMES] and "не число" in text(error)
    assert all(no_update(v) for v in values) and no_update(pins) and no_update(warnings)


def test_clearing_an_input_unpins_and_reset_unpins_everything(services):
    typed = shown(services, {"r1": 40, "a1": 20}) | {"r1": None}
    assert editor(services, typed, ids.threshold_input("r1"), {"r1": 40, "a1": 20})[4] == {"a1": 20}
    assert editor(services, typed, ids.THRESHOLDS.RESET, {"r1": 40, "a1": 20})[4] is None  # the chain's set (none)


def test_typing_the_value_already_in_force_pins_nothing(services):
    assert no_update(editor(services, shown(services), ids.threshold_input("m1"), {})[4])


def test_pins_that_do_not_fit_the_period_point_to_the_one_message_under_the_header(services):
    out = editor(services, dict.fromkeys(THRESHOLD_NAMES), None, {"r1": 300})
    assert "под заголовком" in text(out[5]) and out[6] is None and out[7] == ""
