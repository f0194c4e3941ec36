"""«Пороги» renderers: the editor's hints, status and messages — pure functions."""

from __future__ import annotations

from core.model import RfmaError, ThresholdOrderError
from core.thresholds import ThresholdSuggestion
from layouts.thresholds import input_classes, input_hints, render_rejection, render_status, render_warnings
from tests.support.components import text


def suggestion(warnings=()) -> ThresholdSuggestion:
    return ThresholdSuggestion(None, 105, 21, tuple(warnings), frozenset())


def test_pinned_inputs_are_highlighted_and_say_so():
    assert input_classes(["r1", "r2"], {"r2"}) == ["rfma-threshold-input", "rfma-threshold-input rfma-pinned"]
    assert input_hints(["r1", "r2"], {"r2"}) == ["предложено", "закреплено"]


def test_the_status_names_the_pins_in_threshold_order():
    assert render_status(suggestion(), set()) == (
        "Все пороги предложены по данным. Период оттока C = 105 дн., базовый интервал B = 21 дн."
    )
    assert render_status(suggestion(), {"m1", "r1"}).startswith("Закреплено: r1, m1. Период оттока C = 105 дн.")


def test_a_rejected_value_says_why_and_that_the_last_set_stays():
    unordered = render_rejection(ThresholdOrderError(("r1", "r2"), "пороги не упорядочены: r1 = 50 ≥ r2 = 40"))
    assert "Пороги не упорядочены" in text(unordered) and "остается в силе" in text(unordered)
    assert text(render_rejection(RfmaError("порог m1: 'x' не число"))) == "порог m1: 'x' не число"


def test_repair_warnings_are_listed_only_when_there_are_some():
    assert render_warnings(()) is None
    assert "Правило 2" in text(render_warnings(("Правило 2: r2 = 58",)))
