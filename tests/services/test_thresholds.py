"""Tab «Пороги»'s service: the thresholds in force, one edit of an input (pin, unpin, reset), research figures."""

from __future__ import annotations

import pytest

from core.model import RfmaError, ThresholdOrderError
from dashboard.services.access import NO_AUTH_USER
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


def test_an_edit_makes_a_draft_and_saves_nothing_for_the_chain(services):
    request = services.requests.build(*FULL)
    edit = services.thresholds.edit(request, "r1", 40)
    assert edit.changed and edit.pins == {"r1": 40} and edit.draft == {"r1": 40} and edit.error is None
    assert edit.suggestion.thresholds.r1 == 40
    pinned = services.requests.build(*FULL, edit.draft)
    refused = services.thresholds.edit(pinned, "r1", 500)
    assert isinstance(refused.error, ThresholdOrderError) and refused.rejected == "r1"
    assert refused.pins == {"r1": 40} and refused.suggestion.thresholds.r1 == 40  # the last valid set stays
    not_a_number = services.thresholds.edit(pinned, "m1", "много")
    assert not_a_number.suggestion is None and not_a_number.rejected == "m1" and "не число" in str(not_a_number.error)
    reset = services.thresholds.edit(pinned, None, None, reset=True)
    assert reset.pins == {} and reset.draft is None  # all suggested is the chain's set here: no draft left
    assert services.threshold_sets.current() is None  # nothing reached the chain's set


def test_the_chain_set_is_used_without_a_draft_and_a_draft_equal_to_it_is_no_draft(services):
    services.thresholds.save_for_chain({"r1": 40})
    assert services.requests.build(*FULL).pins.as_dict() == {"r1": 40}  # no draft: the chain's set
    assert services.requests.build(*FULL, {}).pins.as_dict() == {}  # a draft of all suggested values
    back = services.thresholds.edit(services.requests.build(*FULL, {"r1": 30}), "r1", "40")
    assert back.changed and back.draft is None  # typed back to the chain's value: the page follows the chain
    reset = services.thresholds.edit(services.requests.build(*FULL), None, None, reset=True)
    assert reset.draft == {}  # «Сбросить к предложенным» over a chain set is a draft
    view = services.thresholds.set_view(services.requests.build(*FULL, {"r1": 30}), {"r1": 30})
    assert view.is_draft and view.draft == {"r1": 30} and view.chain.pins.as_dict() == {"r1": 40}
    assert not services.thresholds.set_view(services.requests.build(*FULL), None).is_draft


def test_saving_for_the_chain_keeps_the_history_newest_first(services):
    assert services.thresholds.history() == []
    services.thresholds.save_for_chain({"r1": 40})
    services.thresholds.save_for_chain({"r1": 30, "f1": 0.5})
    history = services.thresholds.history()
    assert [(h.saved_by, h.pins.as_dict(), h.origin) for h in history] == [
        (NO_AUTH_USER, {"r1": 30, "f1": 0.5}, "панель"),
        (NO_AUTH_USER, {"r1": 40}, "панель"),
    ]
    saves = services.audit.entries(action="thresholds_saved")
    assert [(e.user, e.detail) for e in saves] == [(NO_AUTH_USER, "r1 = 40"), (NO_AUTH_USER, "r1 = 30, f1 = 0,5")]
    assert history[0].describe() == "r1 = 30, f1 = 0,5"


def test_a_set_that_does_not_fit_the_period_names_the_problem_and_the_fewest_pins_to_unpin(services):
    month = ("2022-06-01", "2022-06-30")
    services.thresholds.save_for_chain({"r1": 21, "m1": 2000})
    request = services.requests.build(*month)
    view = services.thresholds.set_view(request, None)
    assert isinstance(view.problem, ThresholdOrderError) and view.problem.pair == ("r1", "r2")
    assert view.fix == {"m1": 2000} and view.fix_unpins == ("r1",) and not view.is_draft
    assert services.thresholds.fitting_draft(request) == {"m1": 2000}
    services.thresholds.in_force(services.requests.build(*month, view.fix))  # the way out fits: no error
    assert services.thresholds.set_view(services.requests.build(*FULL), None).problem is None


def test_pins_that_do_not_fit_the_period_are_raised_not_hidden(services):
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
