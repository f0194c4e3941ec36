"""The header's threshold-set bar: which set is in force, the draft's buttons, the one message with a way out."""

from __future__ import annotations

import datetime as dt

from core.model import ThresholdOrderError, ThresholdPins
from dashboard.appdb import ChainThresholds
from dashboard.services.thresholds import ThresholdSetView
from layouts.header import HIDDEN, render_threshold_set

CHAIN = ChainThresholds(3, ThresholdPins(r1=21, f1=0.5), "анна", dt.datetime(2026, 11, 30, 9, 5), "панель")


def test_the_chain_set_says_who_saved_it_and_when_and_offers_no_button():
    text, save, discard, problem, _, _ = render_threshold_set(ThresholdSetView(CHAIN, None))
    assert text == "Пороги: утверждённые для сети — r1 = 21, f1 = 0,5 (сохранил: анна, 30.11.2026 09:05 UTC)."
    assert save == discard == problem == HIDDEN


def test_no_chain_set_says_the_thresholds_are_suggested():
    text, save, *_ = render_threshold_set(ThresholdSetView(None, None))
    assert text.startswith("Пороги: предложенные по данным периода") and save == HIDDEN


def test_a_draft_is_named_and_can_be_saved_for_the_chain_or_discarded():
    text, save, discard, problem, _, _ = render_threshold_set(ThresholdSetView(CHAIN, {"r1": 30}))
    assert text == "Пороги: ваш черновик — r1 = 30. Его видите только вы."
    assert HIDDEN not in save and HIDDEN not in discard and problem == HIDDEN


def test_a_set_that_does_not_fit_gets_one_message_and_a_button_naming_what_it_unpins():
    problem = ThresholdOrderError(("r1", "r2"), "пороги не упорядочены: r1 = 21 должен быть меньше r2 = 8")
    view = ThresholdSetView(CHAIN, None, problem, {"f1": 0.5}, ("r1",))
    _text, save, discard, box, message, label = render_threshold_set(view)
    assert HIDDEN not in box and save == discard == HIDDEN
    assert message.startswith("Закреплённые пороги не подходят выбранному периоду: r1 = 21 должен быть меньше r2 = 8.")
    assert label == "Открепить r1 для этого периода"
    draft = render_threshold_set(ThresholdSetView(CHAIN, {"r1": 21}, problem, {}, ("r1",)))
    assert draft[1] == HIDDEN and HIDDEN not in draft[2]  # a draft that does not fit cannot be saved for the chain


def test_nothing_to_say_without_data():
    assert render_threshold_set(None) == ("", HIDDEN, HIDDEN, HIDDEN, None, None)


def test_a_viewer_is_offered_a_longer_period_not_the_unpin_button():
    problem = ThresholdOrderError(("r1", "r2"), "пороги не упорядочены: r1 = 21 должен быть меньше r2 = 8")
    view = ThresholdSetView(CHAIN, None, problem, {"f1": 0.5}, ("r1",), may_edit=False, may_save=False)
    _text, _save, _discard, box, message, _label = render_threshold_set(view)
    assert "rfma-no-fix" in box and message.endswith("Выберите период длиннее.")
    assert "Открепите" not in message
