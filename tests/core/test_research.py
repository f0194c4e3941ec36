"""Threshold-research helpers: statistics, deciles, capacities, amount histograms, a client's cheques."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.model import AnalysisOptions, Period
from core.research import (
    binned,
    client_cheques_query,
    client_shops,
    deciles,
    describe,
    describe_histogram,
    grade_capacity,
    histogram_deciles,
    latest_cheques,
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


# card 7: cheque x1 is two rows (100 with 10 off, 50 with nothing off, 3 bonuses spent), x2 is 80 with 20 off,
# x3 is 40; x4 falls after the period; card 8 is another client in the same pharmacy
CARD_ROWS = [
    ("2022-02-01 09:15", "7", 100.0, "Аптека 10", "x1", 0.0),
    ("2022-02-01 09:15", "7", 50.0, "Аптека 10", "x1", 3.0),
    ("2022-02-03 18:40", "7", 80.0, "Аптека 2", "x2"),
    ("2022-02-05 12:00", "7", 40.0, "Аптека 10", "x3"),
    ("2022-03-01 10:00", "7", 999.0, "Аптека 2", "x4"),
    ("2022-02-02 10:00", "8", 500.0, "Аптека 2", "y1"),
]
FEBRUARY = Period(dt.date(2022, 2, 1), dt.date(2022, 2, 28))


def card_cheques() -> pd.DataFrame:
    frame = cheques_frame(CARD_ROWS)
    frame.loc[0, "summ"] = 110.0  # 10 off
    frame.loc[2, "summ"] = 100.0  # 20 off
    return frame


def test_a_clients_cheques_carry_amount_discount_and_bonuses_per_cheque(db_engine):
    load_cheques(db_engine, card_cheques())
    cheques = load_client_cheques(db_engine, "7", FEBRUARY)
    assert cheques["doc_id"].tolist() == ["x1", "x2", "x3"]  # oldest first, x4 after the period, card 8 not
    assert [t.strftime("%d.%m.%Y %H:%M") for t in cheques["datetime"]] == [
        "01.02.2022 09:15",
        "03.02.2022 18:40",
        "05.02.2022 12:00",
    ]
    assert cheques["shop"].tolist() == ["Аптека 10", "Аптека 2", "Аптека 10"]
    assert cheques["amount"].tolist() == [150.0, 80.0, 40.0]
    assert cheques["discount"].tolist() == [10.0, 20.0, 0.0]
    assert cheques["bonus_earned"].tolist() == [7.5, 4.0, 2.0]  # 5 % of each row
    assert cheques["bonus_spent"].tolist() == [3.0, 0.0, 0.0]
    full_price = load_client_cheques(db_engine, "7", FEBRUARY, AnalysisOptions(amount_column="summ"))
    assert full_price["amount"].tolist() == [160.0, 100.0, 40.0]


def test_the_card_is_a_bound_parameter_never_sql_text(db_engine):
    load_cheques(db_engine, card_cheques())
    sneaky = "7' OR '1'='1"
    query = client_cheques_query(sneaky, Period(), AnalysisOptions())
    assert sneaky not in str(query) and query.compile().params["card"] == sneaky
    assert load_client_cheques(db_engine, sneaky).empty


def test_the_newest_cheques_come_first_and_are_capped():
    cheques = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "datetime": pd.to_datetime(
                ["2022-01-01 10:00", "2022-01-03 09:00", "2022-01-03 09:00", "2022-01-02 00:00"]
            ),
            "amount": [1.0, 2.0, 3.0, 4.0],
        }
    )
    assert latest_cheques(cheques, 3)["doc_id"].tolist() == ["c", "b", "d"]  # the same moment: larger doc_id first
    assert latest_cheques(cheques, 10)["doc_id"].tolist() == ["c", "b", "d", "a"]
    assert latest_cheques(cheques, 0).empty


def test_a_clients_pharmacies_count_cheques_and_revenue(db_engine):
    load_cheques(db_engine, card_cheques())
    shops = client_shops(load_client_cheques(db_engine, "7", FEBRUARY))
    assert shops.to_dict("records") == [
        {"shop": "Аптека 10", "cheques": 2, "revenue": 190.0},  # x1 150 + x3 40
        {"shop": "Аптека 2", "cheques": 1, "revenue": 80.0},
    ]


def test_pharmacies_with_as_many_cheques_order_by_revenue_then_naturally():
    cheques = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "shop": ["Аптека 10", "Аптека 2", "Аптека 3"], "amount": [50.0, 50.0, 70.0]}
    )
    assert client_shops(cheques)["shop"].tolist() == ["Аптека 3", "Аптека 2", "Аптека 10"]
    assert client_shops(cheques.iloc[:0]).empty
