"""Threshold-research helpers: statistics, deciles, capacities, amount histograms, a client's cheques."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.model import Period
from core.research import (
    binned,
    deciles,
    describe,
    describe_histogram,
    grade_capacity,
    histogram_deciles,
    load_amount_histograms,
    load_client_cheques,
)
from tests.conftest import cheques_frame, load_cheques


def test_describe_uses_percentile_disc_for_the_median():
    assert describe([4, 1, 3, 2]) == {"count": 4, "min": 1.0, "max": 4.0, "mean": 2.5, "median": 2.0}
    assert describe([])["count"] == 0


def test_histogram_statistics_equal_the_statistics_of_the_values():
    hist = pd.Series([2, 1, 1], index=[10.0, 20.0, 40.0])
    assert describe_histogram(hist) == describe([10, 10, 20, 40])


def test_deciles_of_values_and_of_histograms_agree():
    values = list(range(1, 21))
    hist = pd.Series(1, index=[float(v) for v in values])
    assert deciles(values)["value"].tolist() == [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert histogram_deciles(hist, 9)["value"].tolist() == [2, 4, 6, 8, 10, 12, 14, 16, 18]


def test_grade_capacity_lists_every_grade_with_share():
    capacity = grade_capacity(pd.DataFrame({"f": [1, 1, 3]}), "f")
    assert capacity["clients"].tolist() == [2, 0, 1]
    assert capacity["share"].tolist() == pytest.approx([2 / 3, 0, 1 / 3])
    assert capacity["name"].tolist() == ["частый", "редкий", "разовый"]


def test_binned_puts_values_above_the_upper_bound_in_the_last_bin():
    bins = binned([0.1, 0.2, 5.0], upper=1.0, bins=2)
    assert bins["clients"].tolist() == [2, 1]


ROWS = [
    ("2022-01-05 10:00", "1", 100.0, "Аптека 1", "a"),
    ("2022-01-05 10:00", "1", 50.0, "Аптека 1", "a"),
    ("2022-01-07 10:00", "1", 70.0, "Аптека 2", "b"),
    ("2022-01-20 12:00", None, 40.0, "Аптека 1", "c"),
    ("2022-01-21 12:00", "", 40.0, "Аптека 1", "d"),
]


def test_amount_histograms_split_identified_and_unidentified_cheques(db_engine):
    load_cheques(db_engine, cheques_frame(ROWS))
    hist = load_amount_histograms(db_engine, Period())
    assert hist[True].to_dict() == {70.0: 1, 150.0: 1}
    assert hist[False].to_dict() == {40.0: 2}


def test_client_cheques_are_one_row_per_cheque_in_the_period(db_engine):
    load_cheques(db_engine, cheques_frame(ROWS))
    cheques = load_client_cheques(db_engine, "1", Period(dt.date(2022, 1, 1), dt.date(2022, 1, 6)))
    assert cheques["doc_id"].tolist() == ["a"] and cheques["amount"].tolist() == [150.0]
    assert load_client_cheques(db_engine, "999").empty
