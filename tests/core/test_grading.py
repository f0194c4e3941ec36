"""Grade boundaries (SPEC §3) and grading a base: metrics, grades, class, cluster, region, names."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.grading import empty_graded, grade_clients
from core.segments import grade_age, grade_frequency, grade_monetary, grade_recency
from tests.support.bases import SEED, T, make_base


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


@pytest.mark.parametrize("with_shops", [False, True])
def test_an_empty_graded_frame_has_the_columns_and_dtypes_of_a_graded_one(with_shops):
    base = make_base([("1", T - dt.timedelta(days=40), T, 2, 500.0)])
    graded = grade_clients(base, SEED)
    if not with_shops:
        graded = graded.drop(columns="shops")
    empty = empty_graded(with_shops)
    assert empty.empty and list(empty.columns) == list(graded.columns)
    pd.testing.assert_series_equal(empty.dtypes, graded.dtypes)
