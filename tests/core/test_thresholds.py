"""Suggested thresholds with the SPEC §2 repairs and pins, and the frequency rate of SPEC §3."""

from __future__ import annotations

import datetime as dt

import pytest

from core.model import ThresholdOrderError, ThresholdPins, Thresholds, check_order
from core.thresholds import frequency_rate, suggest_thresholds
from tests.support.bases import T, make_base


def days_ago(n: int) -> dt.date:
    return T - dt.timedelta(days=n)


def spread_base(recencies, gaps=(10, 20, 30, 40), amounts=(100, 200, 300, 400, 500), purchases=2):
    """Clients whose last purchase was `recency` days ago and first 300 days ago."""
    clients = [(str(i), days_ago(300), days_ago(d), purchases, 1000.0) for i, d in enumerate(recencies)]
    return make_base(clients, gaps=gaps, amounts=amounts)


def test_seed_like_suggestion_has_no_warnings():
    base = spread_base(range(0, 100, 10), gaps=list(range(1, 101)), amounts=[100, 200, 300, 400, 500], purchases=30)
    s = suggest_thresholds(base)
    t = s.thresholds
    assert (t.r1, t.r2, t.r3) == (10, 30, 95)
    assert s.churn_period == 95 and s.base_interval == 10
    assert t.f2 == round(10 / 95, 6)
    assert (t.m1, t.m2) == (400, 200)
    assert (t.a1, t.a2) == (30, 180)
    assert s.warnings == ()


def test_rule1_no_gaps_gives_the_default_churn_period_with_a_warning():
    s = suggest_thresholds(spread_base(range(0, 100, 10), gaps=()))
    assert s.churn_period == 105 and s.thresholds.r3 == 105
    assert any(w.startswith("Правило 1") for w in s.warnings)


def test_rule2_a_tiny_churn_period_is_raised_to_three_and_r1_r2_squeezed_below_it():
    # everyone bought today (D = 0) and gaps are 1 day: C = 1 → r3 = 3, r2 = min(max(0, 2), 2) = 2, r1 = 1
    s = suggest_thresholds(spread_base([0] * 10, gaps=[1, 1, 1]))
    t = s.thresholds
    assert s.churn_period == 1
    assert (t.r1, t.r2, t.r3) == (1, 2, 3)
    rules = [w.split(":")[0] for w in s.warnings]
    assert rules.count("Правило 2") == 3


def test_rule2_lapsed_store_churn_period_below_p40_caps_r2_and_r1():
    # D all 200 (p20 = p40 = 200) but the churn period is 50: r2 = r3 - 1 = 49, r1 = r2 - 1 = 48
    s = suggest_thresholds(spread_base([200] * 10, gaps=[50] * 5))
    t = s.thresholds
    assert (t.r1, t.r2, t.r3) == (48, 49, 50)
    assert [w for w in s.warnings if w.startswith("Правило 2")] == [
        "Правило 2: r2 = 49 дней, а не 200 дней (давность, которую не превышают 40 % клиентов): r2 не бывает меньше "
        "2 дней и должен быть меньше r3 = 50 дней.",
        "Правило 2: r1 = 48 дней, а не 200 дней (давность, которую не превышают 20 % клиентов): r1 не бывает меньше "
        "1 дня и должен быть меньше r2 = 49 дней.",
    ]


def test_rule3_f1_is_lifted_above_f2_when_the_85th_percentile_is_not_above_it():
    # single purchase 300 days ago for everyone: F = 1 / (r3 / r1) = r1 / r3 = f2 → f1 = f2 + 0.000001
    clients = [(str(i), days_ago(300), days_ago(300), 1, 100.0) for i in range(10)]
    s = suggest_thresholds(make_base(clients, gaps=[10, 20, 105], amounts=[100, 200]))
    t = s.thresholds
    assert t.f1 == round(t.f2 + 0.000001, 6)
    assert any(w.startswith("Правило 3") for w in s.warnings)


def test_rule4_equal_amount_percentiles_push_m2_a_cent_below_m1():
    s = suggest_thresholds(spread_base(range(0, 100, 10), gaps=[30], amounts=[500] * 10))
    assert (s.thresholds.m1, s.thresholds.m2) == (500, 499.99)
    assert any(w.startswith("Правило 4") for w in s.warnings)


def test_pins_replace_suggestions_and_suggestions_use_pinned_values():
    base = spread_base(range(0, 100, 10), gaps=list(range(1, 101)))
    s = suggest_thresholds(base, ThresholdPins(r1=7, r3=70))
    t = s.thresholds
    assert (t.r1, t.r2, t.r3) == (7, 30, 70)
    assert s.base_interval == 7 and t.f2 == round(7 / 70, 6)
    assert s.pinned == frozenset({"r1", "r3"})
    # a pinned r3 below p40: r2's suggestion is capped by the pinned r3
    s = suggest_thresholds(base, ThresholdPins(r3=20))
    assert (s.thresholds.r2, s.thresholds.r3) == (19, 20)


def test_an_unordered_pinned_set_is_rejected_naming_the_pair():
    base = spread_base(range(0, 100, 10), gaps=list(range(1, 101)))
    with pytest.raises(ThresholdOrderError) as error:
        suggest_thresholds(base, ThresholdPins(r1=50, r2=40))
    assert error.value.pair == ("r1", "r2")
    assert "r1 = 50" in str(error.value) and "r2 = 40" in str(error.value)
    with pytest.raises(ThresholdOrderError) as error:
        suggest_thresholds(base, ThresholdPins(m1=100, m2=300))
    assert error.value.pair == ("m2", "m1")


@pytest.mark.parametrize(
    ("changes", "pair"),
    [
        ({"r1": 0}, ("r1", "r1")),
        ({"r2": 200}, ("r2", "r3")),
        ({"f2": 0}, ("f2", "f2")),
        ({"f2": 2.0}, ("f2", "f1")),
        ({"a1": 200}, ("a1", "a2")),
        ({"a1": 0}, ("a1", "a1")),
    ],
)
def test_check_order_names_the_offending_pair(changes, pair):
    values = dict(r1=21, r2=61, r3=105, f1=0.96, f2=0.2, m1=1293, m2=504, a1=30, a2=180) | changes
    with pytest.raises(ThresholdOrderError) as error:
        check_order(Thresholds(**values))
    assert error.value.pair == pair


def test_empty_base_gives_no_thresholds_and_a_message():
    s = suggest_thresholds(make_base([]))
    assert s.thresholds is None
    assert "нет" in s.warnings[0]


def test_pins_parse_from_cli_items():
    pins = ThresholdPins.parse(["r1=21", "f1=0,96", "m2=504.5"])
    assert pins.as_dict() == {"r1": 21, "f1": 0.96, "m2": 504.5}
    from core.model import RfmaError

    for bad in (["r1=2.5"], ["zz=1"], ["r1"], ["m1=abc"]):
        with pytest.raises(RfmaError):
            ThresholdPins.parse(bad)


def test_a_single_purchase_long_ago_counts_the_activity_window_as_churn_period_only():
    # first = last = T - 200: A = 200 > B, end = min(last + 105, T) = last + 105 → intervals = 105/21 = 5
    once = T - dt.timedelta(days=200)
    base = make_base([("1", once, once, 1, 500.0)])
    assert frequency_rate(base, 21, 105)[0] == pytest.approx(0.2)


def test_a_newbie_within_one_base_interval_has_one_interval():
    # first purchase 21 days before T (A = 21 <= B = 21): intervals = 1, F = n
    first = T - dt.timedelta(days=21)
    base = make_base([("1", first, T, 3, 900.0)])
    assert frequency_rate(base, 21, 105)[0] == 3.0


def test_the_activity_window_is_capped_at_the_analysis_date():
    # first = T - 42, last = T - 10: last + r3 is past T, so end = T and intervals = 42 / 21 = 2
    base = make_base([("1", T - dt.timedelta(days=42), T - dt.timedelta(days=10), 4, 800.0)])
    assert frequency_rate(base, 21, 105)[0] == 2.0


def test_the_rate_is_rounded_to_six_decimals():
    # first = T - 100, last = T - 90: end = T → intervals = 100 / 21; F = 2 * 21 / 100 = 0.42
    # and with 3 purchases over 70 days with B = 21: 3 / (70/21) = 0.9
    base = make_base(
        [
            ("1", T - dt.timedelta(days=100), T - dt.timedelta(days=90), 2, 1.0),
            ("2", T - dt.timedelta(days=70), T - dt.timedelta(days=1), 3, 1.0),
            ("3", T - dt.timedelta(days=23), T, 1, 1.0),
        ]
    )
    rates = frequency_rate(base, 21, 105)
    assert rates[0] == 0.42
    assert rates[1] == 0.9
    assert rates[2] == round(21 / 23, 6) == 0.913043
