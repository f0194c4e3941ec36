"""Grade boundaries and the frequency rate rules of SPEC §3, on hand-built client bases."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.client_base import ClientBase
from core.grading import grade_clients
from core.model import Period, Thresholds
from core.queries import EPOCH
from core.segments import grade_age, grade_frequency, grade_monetary, grade_recency
from core.stats import histogram
from core.thresholds import frequency_rate

T = dt.date(2022, 6, 6)
SEED = Thresholds(r1=21, r2=61, r3=105, f1=0.96, f2=0.2, m1=1293, m2=504, a1=30, a2=180)


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def make_base(clients: list[tuple], analysis_date: dt.date = T, gaps=(), amounts=()) -> ClientBase:
    """clients: (card, first_date, last_date, purchases, revenue)."""
    frame = pd.DataFrame(
        {
            "card": [c[0] for c in clients],
            "first_day": np.array([day(c[1]) for c in clients], dtype="int64"),
            "last_day": np.array([day(c[2]) for c in clients], dtype="int64"),
            "purchases": np.array([c[3] for c in clients], dtype="int64"),
            "revenue": np.array([c[4] for c in clients], dtype="float64"),
            "bonus_earned": 0.0,
            "bonus_spent": 0.0,
            "shops": 1,
        }
    )
    gap_hist = histogram(list(gaps)).astype("int64")
    amount_hist = histogram([float(a) for a in amounts]).astype("int64")
    return ClientBase(Period(), analysis_date, len(clients), frame, gap_hist, amount_hist)


@pytest.mark.parametrize(
    ("recency", "grade"), [(0, 1), (21, 1), (22, 2), (61, 2), (62, 3), (105, 3), (106, 4), (400, 4)]
)
def test_recency_grade_boundaries(recency, grade):
    assert grade_recency(np.array([recency]), SEED)[0] == grade


@pytest.mark.parametrize(("rate", "grade"), [(0.96, 1), (2.5, 1), (0.959999, 2), (0.200001, 2), (0.2, 3), (0.01, 3)])
def test_frequency_grade_boundaries(rate, grade):
    assert grade_frequency(np.array([rate]), SEED)[0] == grade


@pytest.mark.parametrize(("avg", "grade"), [(1293.01, 1), (1293, 2), (504.01, 2), (504, 3), (6, 3)])
def test_monetary_grade_boundaries(avg, grade):
    assert grade_monetary(np.array([avg]), SEED)[0] == grade


@pytest.mark.parametrize(("age", "grade"), [(181, 1), (180, 2), (31, 2), (30, 3), (0, 3)])
def test_age_grade_boundaries(age, grade):
    assert grade_age(np.array([age]), SEED)[0] == grade


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


def test_grade_clients_assigns_class_cluster_region_and_names():
    base = make_base(
        [
            ("vip", T - dt.timedelta(days=300), T - dt.timedelta(days=3), 30, 45000.0),
            ("lost-once", T - dt.timedelta(days=300), T - dt.timedelta(days=300), 1, 100.0),
            ("newbie", T - dt.timedelta(days=5), T - dt.timedelta(days=5), 1, 2000.0),
        ]
    )
    graded = grade_clients(base, SEED).set_index("card")
    assert graded.loc["vip", "class"] == "1111" and graded.loc["vip", "region"] == 110
    assert graded.loc["vip", "region_name"] == "VIP" and graded.loc["vip", "warmth"] == 1
    assert graded.loc["lost-once", "class"] == "4331" and graded.loc["lost-once", "cluster"] == 43
    assert graded.loc["lost-once", "cluster_name"] == "ушедший случайный гость"
    # newbie: D = 5, A = 5 <= B → F = 1 / 1 = 1 ≥ f1 → class 1113 → cluster 13 (добро пожаловать VIP)
    assert graded.loc["newbie", "class"] == "1113" and graded.loc["newbie", "cluster"] == 13
    assert graded.loc["newbie", "class_name"] == "недавний-частый-высокий_чек-новичок"
    assert graded.loc["newbie", "recency_days"] == 5 and graded.loc["newbie", "age_days"] == 5
