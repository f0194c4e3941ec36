"""Tab «Пороги»'s service: the thresholds in force, one edit of an input (pin, unpin, reset), research figures."""

from __future__ import annotations

import pytest

from core.model import RfmaError, ThresholdOrderError
from dashboard.services.thresholds import display_value, propose_pin
from tests.support.dashboard import EMPTY, FULL


def test_inputs_show_thresholds_in_the_russian_format():
    assert display_value(21.0) == "21"
    assert display_value(0.1234567) == "0,123457"
    assert display_value(1293.5) == "1293,5"  # no thousands separator: the text is typed back as it is shown
    assert display_value(None) is None


@pytest.mark.parametrize("typed", ["0,5", "0.5", " 0,5 ", "0,50"])
def test_a_decimal_comma_and_a_decimal_point_mean_the_same(typed):
    assert propose_pin({}, {"f1": 0.95}, "f1", typed) == ({"f1": 0.5}, True)


@pytest.mark.parametrize(
    ("name", "typed", "says"),
    [
        ("r1", "abc", "порог r1: 'abc' не число"),
        ("m1", "1300,50,1", "порог m1: '1300,50,1' не число"),
        ("m1", "1e5", "порог m1: '1e5' не число"),
        ("a1", "30.5", "порог a1: '30.5' — число дней должно быть целым"),
        ("a1", "30,5", "порог a1: '30,5' — число дней должно быть целым"),
    ],
)
def test_anything_else_is_refused_with_a_message_naming_the_field(name, typed, says):
    with pytest.raises(RfmaError) as refused:
        propose_pin({"r1": 21}, {}, name, typed)
    assert str(refused.value).startswith(says)


def test_thousands_separated_by_spaces_are_one_number():
    assert propose_pin({}, {}, "m1", "1\u00a0300,5") == ({"m1": 1300.5}, True)
    assert propose_pin({}, {}, "m1", "1 300") == ({"m1": 1300.0}, True)


def test_propose_pin_pins_unpins_and_ignores_the_value_in_force():
    in_force = {"r1": 19, "f1": 0.95}
    assert propose_pin({}, in_force, "r1", "25") == ({"r1": 25}, True)
    assert propose_pin({}, in_force, "r1", 19) == ({}, False)  # the value already in force
    assert propose_pin({"r1": 25}, in_force, "r1", "") == ({}, True)
    assert propose_pin({}, in_force, "r1", None) == ({}, False)
    assert propose_pin({}, in_force, "f1", "0,5") == ({"f1": 0.5}, True)
    with pytest.raises(RfmaError, match="r1"):
        propose_pin({}, in_force, "r1", "30.5")  # days are whole
    with pytest.raises(RfmaError, match="не число"):
        propose_pin({}, in_force, "m1", "abc")


def test_editing_pins_saves_and_a_rejected_edit_saves_nothing(services):
    request = services.requests.build(*FULL)
    edit = services.thresholds.edit(request, "r1", 40)
    assert edit.changed and edit.pins == {"r1": 40} and edit.error is None
    assert edit.suggestion.thresholds.r1 == 40 and services.pins.load() == {"r1": 40}
    pinned = services.requests.build(*FULL, edit.pins)
    refused = services.thresholds.edit(pinned, "r1", 500)
    assert isinstance(refused.error, ThresholdOrderError) and refused.rejected == "r1"
    assert refused.pins == {"r1": 40} and refused.suggestion.thresholds.r1 == 40  # the last valid set stays
    assert services.pins.load() == {"r1": 40}
    not_a_number = services.thresholds.edit(pinned, "m1", "много")
    assert not_a_number.suggestion is None and not_a_number.rejected == "m1" and "не число" in str(not_a_number.error)
    assert services.thresholds.edit(pinned, None, None, reset=True).pins == {}
    assert services.pins.load() == {}


def test_saved_pins_that_do_not_fit_the_period_are_raised_not_hidden(services):
    with pytest.raises(ThresholdOrderError):
        services.thresholds.edit(services.requests.build(*FULL, {"r1": 300}), None, None)


def test_research_of_an_empty_period_says_there_is_no_cheque(services):
    with pytest.raises(RfmaError, match="нет ни одного чека"):
        services.thresholds.research(services.requests.build(*EMPTY))


def test_research_lists_each_thresholds_own_suggestion_next_to_a_pin(services):
    free = services.thresholds.research(services.requests.build(*FULL))
    pinned = services.thresholds.research(services.requests.build(*FULL, {"r1": 5}))
    assert pinned.thresholds["r1"] == 5 and pinned.suggested["r1"] == free.thresholds["r1"]
    assert pinned.pinned == ("r1",)
