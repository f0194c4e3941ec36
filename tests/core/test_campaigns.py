"""Campaigns (SPEC §9) and the placebo check (§10): assignment, window effect on both backends, uplift intervals."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import numpy as np
import pandas as pd
import pytest

from core.campaigns import (
    CONTROL,
    TARGET,
    Window,
    assign,
    campaign_effect,
    load_campaign_effect,
    placebo_check,
    proportion_difference,
)
from core.migration import migrate
from core.model import AnalysisOptions, Period, RfmaError, ThresholdPins
from tests.conftest import cheques_frame, load_cheques

Z = 1.959964


def formula_u(text: str) -> float:
    """§9's formula, written out again."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) / 2**32


def test_assignment_is_the_formula_of_section_9_and_ignores_list_order():
    cards = [str(4000000 + i * 7919) for i in range(3000)]
    members = assign("Весна-2024", reversed(cards), 0.2)
    expected = {card: CONTROL if formula_u(f"Весна-2024:{card}") < 0.2 else TARGET for card in cards}
    assert dict(zip(members["card"], members["group"], strict=True)) == expected
    assert members.equals(assign("Весна-2024", cards + cards[:10], 0.2))  # order and repeats change nothing
    share = (members["group"] == CONTROL).mean()
    assert 0.18 < share < 0.22
    other = assign("Осень-2024", cards, 0.2)
    assert not other["group"].equals(members["group"])  # the name seeds the hash


def test_the_global_control_group_is_never_targeted():
    cards = [str(7000000 + i) for i in range(2000)]
    members = assign("A", cards, 0.1, global_control=0.05)
    global_cards = {card for card in cards if formula_u(f"global:{card}") < 0.05}
    assert global_cards and set(members.loc[members["group"] == TARGET, "card"]).isdisjoint(global_cards)
    again = assign("B", cards, 0.1, global_control=0.05)
    assert global_cards <= set(again.loc[again["group"] == CONTROL, "card"])


@pytest.mark.parametrize("share", [0, 0.5, -0.1, 0.7, float("nan")])
def test_a_control_share_outside_the_open_interval_is_refused(share):
    with pytest.raises(RfmaError, match="доля контрольной группы"):
        assign("A", ["1"], share)


# Members: target 1, 2, 3, 4; control 5, 6. t0 = 10.01.2024, W = 10: the window is 11.01 … 20.01.
WINDOW_ROWS = [
    ("2024-01-10 18:00", "1", 500.0, "Аптека 1", "before"),  # on t0: not in the window
    ("2024-01-11 09:00", "1", 60.0, "Аптека 1", "a1"),  # one purchase of two rows: 100
    ("2024-01-11 09:01", "1", 40.0, "Аптека 1", "a1"),
    ("2024-01-10 23:59", "2", 10.0, "Аптека 1", "straddle"),  # dated by its earliest row: 10.01, not in the window
    ("2024-01-11 00:01", "2", 10.0, "Аптека 1", "straddle"),
    ("2024-01-15", "3", 20.0, "Аптека 2", "c1"),
    ("2024-01-20 21:00", "3", 30.0, "Аптека 2", "c2"),  # the window's last day
    ("2024-01-21", "3", 999.0, "Аптека 2", "late"),  # after the window
    ("2024-01-12", "6", 30.0, "Аптека 1", "f1"),
    ("2024-01-13", "7", 77.0, "Аптека 1", "other"),  # not a member
    ("2024-02-01", "", 5.0, "Аптека 1", "anon"),  # the latest cheque of the table: the window is complete
]
MEMBERS = pd.DataFrame({"card": ["1", "2", "3", "4", "5", "6"], "group": [TARGET] * 4 + [CONTROL] * 2})


def test_the_effect_and_uplift_are_the_hand_computed_figures(db_engine):
    load_cheques(db_engine, cheques_frame(WINDOW_ROWS))
    effect = load_campaign_effect(db_engine, MEMBERS, dt.date(2024, 1, 10), 10)
    doc = effect.as_json()
    assert (doc["window_end"], doc["partial"]) == ("2024-01-20", False)
    assert doc["target"] == {
        "clients": 4,
        "responders": 2,
        "response_rate": 0.5,
        "purchases": 3,
        "revenue": 150.0,
        "revenue_per_client": 37.5,
        "avg_cheque": 50.0,
    }
    assert doc["control"] == {
        "clients": 2,
        "responders": 1,
        "response_rate": 0.5,
        "purchases": 1,
        "revenue": 30.0,
        "revenue_per_client": 15.0,
        "avg_cheque": 30.0,
    }
    # response rate: 0.5 − 0.5 ± z·sqrt(0.25/4 + 0.25/2)
    half = Z * math.sqrt(0.25 / 4 + 0.25 / 2)
    assert doc["response_rate_diff"] == 0.0
    assert doc["response_rate_ci"] == pytest.approx([-half, half])
    # revenue per client: target 100, 0, 50, 0 (mean 37.5, var 6875/3); control 0, 30 (mean 15, var 450)
    half = Z * math.sqrt(6875 / 3 / 4 + 450 / 2)
    assert doc["revenue_per_client_diff"] == pytest.approx(22.5)
    assert doc["revenue_per_client_ci"] == pytest.approx([22.5 - half, 22.5 + half])
    assert doc["incremental_revenue"] == pytest.approx(22.5 * 4)
    assert doc["proven"] is False
    assert any("меньше 100" in warning for warning in doc["warnings"])
    responders = effect.responders()
    assert list(responders["card"]) == ["1", "3", "6"] and list(responders["revenue"]) == [100.0, 50.0, 30.0]


def test_a_window_past_the_data_is_cut_and_partial(db_engine):
    load_cheques(db_engine, cheques_frame(WINDOW_ROWS[:-1]))  # the latest cheque is 21.01
    effect = load_campaign_effect(db_engine, MEMBERS, dt.date(2024, 1, 10), 30)
    assert (effect.window.end, effect.window.partial) == (dt.date(2024, 1, 21), True)
    assert effect.target.revenue == 150.0 + 999.0
    assert any("неполное" in warning for warning in effect.warnings)
    ahead = load_campaign_effect(db_engine, MEMBERS, dt.date(2024, 1, 21), 30)
    assert (ahead.window.days_measured, ahead.target.responders) == (0, 0)


def generated(effect_target: float, effect_control: float, seed: int, members: int = 4000) -> pd.DataFrame:
    """A campaign of `members` clients (control share 0.2) and per-card window purchases drawn per group."""
    rng = np.random.default_rng(seed)
    table = assign(f"gen-{seed}", [str(10**8 + i) for i in range(members)], 0.2)
    rate = np.where(table["group"] == TARGET, effect_target, effect_control)
    bought = rng.random(len(table)) < rate
    per_card = pd.DataFrame(
        {
            "card": table["card"][bought],
            "purchases": rng.integers(1, 4, bought.sum()),
            "revenue": rng.gamma(2.0, 400.0, bought.sum()),
        }
    )
    return campaign_effect(table, per_card, Window(dt.date(2024, 1, 1), 30, dt.date(2024, 3, 1)))


def test_a_planted_effect_is_proven_and_a_null_effect_is_not():
    planted = generated(0.45, 0.30, seed=1)
    assert planted.proven and planted.response_rate_ci[0] > 0
    assert planted.revenue_per_client_ci[0] > 0 and planted.incremental_revenue > 0
    for seed in range(2, 7):
        null = generated(0.35, 0.35, seed=seed)
        assert not null.proven and null.response_rate_ci[0] <= 0 <= null.response_rate_ci[1]


def test_two_proportions_by_hand():
    diff, ci = proportion_difference(30, 100, 20, 100)
    half = Z * math.sqrt(0.3 * 0.7 / 100 + 0.2 * 0.8 / 100)
    assert diff == pytest.approx(0.1) and ci == pytest.approx((0.1 - half, 0.1 + half))
    assert proportion_difference(1, 0, 1, 5) == (None, None)


def test_placebo_is_the_migration_shifted_back_by_its_own_length(chain_url):
    from core.db import make_engine

    engine = make_engine(chain_url)
    period = Period()
    actual = migrate(engine, dt.date(2022, 3, 1), period)
    check = placebo_check(engine, dt.date(2022, 3, 1), period)
    lag = (check.analysis_date - dt.date(2022, 3, 1)).days
    assert check.placebo_bonus_date == dt.date(2022, 3, 1) - dt.timedelta(days=lag)
    same = ThresholdPins.from_mapping(actual.suggestion.thresholds.as_dict())
    placebo = migrate(engine, check.placebo_bonus_date, Period(None, dt.date(2022, 3, 1)), same)
    assert check.placebo.suggestion.thresholds == actual.suggestion.thresholds
    doc = check.as_json()
    a, p = actual.shares(), placebo.shares()
    assert doc["actual"] == {"n": a["returning"], "warmed": a["warmed"], "stayed": a["stayed"], "cooled": a["cooled"]}
    assert doc["placebo"] == {"n": p["returning"], "warmed": p["warmed"], "stayed": p["stayed"], "cooled": p["cooled"]}
    for name in ("warmed", "stayed", "cooled"):
        pa, pp = a[name] / a["returning"], p[name] / p["returning"]
        half = Z * math.sqrt(pa * (1 - pa) / a["returning"] + pp * (1 - pp) / p["returning"])
        assert doc[name]["diff"] == pytest.approx(pa - pp)
        assert doc[name]["ci"] == pytest.approx([pa - pp - half, pa - pp + half])
    engine.dispose()


# Every client's F is 3 (f2 = 100), so the warmth is 2 when D <= r2 = 2 and 5 when D > 2 (clusters 15/25/13/14/23/24
# against 33/43). b = 11.01, T = 21.01, L = 10: the placebo is bonus date 01.01 and period end 11.01.
PLACEBO_ROWS = [
    ("2024-01-01", "A", 100.0),
    ("2024-01-11", "A", 100.0),  # placebo 2 → 2 stayed; actual 2 (D=0) → 5 (D=10) cooled
    ("2024-01-01", "B", 100.0),
    ("2024-01-10", "B", 100.0),
    ("2024-01-21", "B", 100.0),  # placebo 2 → 2 (D=1) stayed; actual 2 (D=1) → 2 (D=0) stayed
    ("2024-01-01", "C", 100.0),  # placebo 2 → 5 (D=10) cooled; actual 5 (D=10) → 5 (D=20) stayed
    ("2024-01-05", "D", 100.0),
    ("2024-01-20", "D", 100.0),  # placebo new; actual 5 (D=6) → 2 (D=1) warmed
    ("2024-01-01", "E", 100.0),
    ("2024-01-09", "E", 100.0),  # placebo 2 → 2 (D=2) stayed; actual 2 (D=2) → 5 (D=12) cooled
]
PINS = ["r1=1", "r2=2", "r3=3", "f1=200", "f2=100", "m1=300", "m2=150", "a1=1", "a2=2"]


def test_placebo_on_a_hand_computed_table_and_the_unavailable_case(db_engine):
    load_cheques(db_engine, cheques_frame(PLACEBO_ROWS))
    pins = ThresholdPins.parse(PINS)
    check = placebo_check(db_engine, dt.date(2024, 1, 11), Period(), pins, options=AnalysisOptions(card_pattern=".+"))
    assert check.placebo_bonus_date == dt.date(2024, 1, 1)
    doc = check.as_json()
    assert doc["actual"] == {"n": 5, "warmed": 1, "stayed": 2, "cooled": 2}
    assert doc["placebo"] == {"n": 4, "warmed": 0, "stayed": 3, "cooled": 1}
    assert doc["warnings"] == [
        "В миграции 5 клиентов, бывших до бонус-даты (меньше 100): вывод ненадёжен.",
        "В плацебо 4 клиента, бывших до бонус-даты (меньше 100): вывод ненадёжен.",
    ]
    expected = {
        "warmed": (0.2, math.sqrt(0.2 * 0.8 / 5)),
        "stayed": (0.4 - 0.75, math.sqrt(0.4 * 0.6 / 5 + 0.75 * 0.25 / 4)),
        "cooled": (0.4 - 0.25, math.sqrt(0.4 * 0.6 / 5 + 0.25 * 0.75 / 4)),
    }
    for name, (diff, se) in expected.items():
        assert doc[name]["diff"] == pytest.approx(diff)
        assert doc[name]["ci"] == pytest.approx([diff - Z * se, diff + Z * se])
    options = AnalysisOptions(card_pattern=".+")
    unavailable = placebo_check(
        db_engine, dt.date(2024, 1, 10), Period(), pins, options=options
    )  # L = 11: 30.12.2023 < 01.01.2024
    assert not unavailable.available and "недоступна" in unavailable.verdict()
    assert "placebo" not in unavailable.as_json() and unavailable.as_json()["available"] is False
