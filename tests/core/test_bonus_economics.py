"""Bonus economics per segment (issue 13): the per-client sums in SQL on both backends and the segment figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.classify import classify
from core.client_base import load_client_base
from core.db import record_doc_ids_unique
from core.model import Period
from core.summaries import BONUS_ECONOMICS, segment_summary
from tests.conftest import cheques_frame, load_cheques

# datetime, card, summ, summ_with_disc, bonus_earned, bonus_spent, doc_id
ROWS = [
    ("2022-01-05 10:00", "100", 200.0, 180.0, 9.0, 0.0, "A"),  # before the period: history only
    ("2022-02-10 10:00", "100", 100.0, 90.0, 4.5, 10.0, "B"),  # a two-row cheque
    ("2022-02-10 10:00", "100", 50.0, 50.0, 2.5, 0.0, "B"),
    ("2022-01-20 10:00", "200", 1000.0, 900.0, 45.0, 50.0, "C"),  # before the period
    ("2022-02-15 10:00", "200", 300.0, None, 0.0, 0.0, "D"),  # no discounted amount: no revenue, not in the share
    ("2022-02-01 10:00", "300", 0.0, 0.0, 0.0, 0.0, "E"),  # a zero cheque: no gross amount
    ("2022-02-03 10:00", None, 500.0, 400.0, 0.0, 0.0, "F"),  # unidentified: in no segment
]
PERIOD = Period(dt.date(2022, 2, 1), None)  # T = 2022-02-15
# per client over the period (history_revenue: up to T, before the period's start too)
EXPECTED = {
    "100": {
        "revenue": 140.0,
        "bonus_earned": 7.0,
        "bonus_spent": 10.0,
        "gross": 150.0,
        "discount": 10.0,
        "history_revenue": 320.0,
    },
    "200": {
        "revenue": 0.0,
        "bonus_earned": 0.0,
        "bonus_spent": 0.0,
        "gross": 0.0,
        "discount": 0.0,
        "history_revenue": 900.0,
    },
    "300": {
        "revenue": 0.0,
        "bonus_earned": 0.0,
        "bonus_spent": 0.0,
        "gross": 0.0,
        "discount": 0.0,
        "history_revenue": 0.0,
    },
}


def frame(rows) -> pd.DataFrame:
    cheques = cheques_frame([(r[0], r[1], r[2], "Аптека 1", r[6]) for r in rows])
    cheques["summ_with_disc"] = [np.nan if r[3] is None else r[3] for r in rows]
    cheques["bonus_earned"] = [r[4] for r in rows]
    cheques["bonus_spent"] = [r[5] for r in rows]
    return cheques


def per_client(clients: pd.DataFrame, columns) -> dict:
    return clients.set_index("card")[list(columns)].astype("float64").round(6).to_dict("index")


def test_the_client_base_sums_bonuses_discount_and_the_historys_revenue_by_hand(db_engine):
    load_cheques(db_engine, frame(ROWS))
    base = load_client_base(db_engine, PERIOD)
    assert per_client(base.clients, EXPECTED["100"]) == EXPECTED
    graded = classify(db_engine, PERIOD).clients
    assert per_client(graded, EXPECTED["100"]) == EXPECTED
    # without a start the period is the whole history up to T: the history's revenue is the period's
    whole = load_client_base(db_engine, Period(None, dt.date(2022, 2, 15)))
    revenue = whole.clients.set_index("card")
    assert (
        revenue["history_revenue"].to_dict() == revenue["revenue"].to_dict() == {"100": 320.0, "200": 900.0, "300": 0.0}
    )


def test_one_row_cheques_take_the_same_sums_on_the_one_scan_path(db_engine):
    """With every doc_id on one row (recorded), DuckDB aggregates the base in one GROUPING SETS scan."""
    rows = [r for r in ROWS if r[6] != "B"] + [("2022-02-10 10:00", "100", 150.0, 140.0, 7.0, 10.0, "B")]
    load_cheques(db_engine, frame(rows))
    with db_engine.begin() as conn:
        assert record_doc_ids_unique(conn)
    clients = load_client_base(db_engine).clients.set_index("card")
    assert clients.loc["100", ["gross", "discount", "bonus_spent", "history_revenue"]].tolist() == [
        350.0,
        30.0,
        10.0,
        320.0,
    ]
    assert clients.loc["200", ["gross", "discount", "revenue"]].tolist() == [1000.0, 100.0, 900.0]


def test_the_segments_bonus_economics_add_up_the_clients_of_each_region(db_engine):
    load_cheques(db_engine, frame(ROWS))
    graded = classify(db_engine, PERIOD).clients
    summary = segment_summary(graded, "region").set_index("region")
    region_of = graded.set_index("card")["region"].to_dict()
    for region, row in summary.iterrows():
        members = [card for card, r in region_of.items() if r == region]
        value = {name: sum(EXPECTED[c][name] for c in members) for name in EXPECTED["100"]}
        assert row["bonus_earned"] == pytest.approx(value["bonus_earned"])
        assert row["bonus_spent"] == pytest.approx(value["bonus_spent"])
        expect = {
            "bonus_spent_to_earned": value["bonus_spent"] / value["bonus_earned"] if value["bonus_earned"] else None,
            "bonus_spent_share": value["bonus_spent"] / value["revenue"] if value["revenue"] else None,
            "discount_share": value["discount"] / value["gross"] if value["gross"] else None,
            "bonus_clients_share": sum(EXPECTED[c]["bonus_spent"] > 0 for c in members) / len(members)
            if members
            else None,
            "ltv": value["history_revenue"] / len(members) if members else None,
        }
        for name, wanted in expect.items():
            if wanted is None:
                assert pd.isna(row[name]), (region, name)
            else:
                assert row[name] == pytest.approx(wanted), (region, name)
    assert summary["bonus_earned"].sum() == pytest.approx(7.0)
    assert summary["ltv"].mul(summary["clients"]).sum() == pytest.approx(1220.0)


def hand_graded() -> pd.DataFrame:
    """Three clients: two in region 110 (cluster 11), one in region 510 (cluster 43)."""
    return pd.DataFrame(
        {
            "card": ["1", "2", "3"],
            "class": ["1111", "1121", "4333"],
            "cluster": [11, 11, 43],
            "region": [110, 110, 510],
            "revenue": [600.0, 300.0, 100.0],
            "purchases": [3, 1, 1],
            "recency_days": [1, 3, 200],
            "frequency": [1.0, 0.5, 0.1],
            "avg_cheque": [200.0, 300.0, 100.0],
            "age_days": [400, 200, 300],
            "bonus_earned": [100.0, 50.0, 0.0],
            "bonus_spent": [60.0, 0.0, 0.0],
            "gross": [700.0, 300.0, 0.0],
            "discount": [100.0, 0.0, 0.0],
            "history_revenue": [1000.0, 300.0, 100.0],
        }
    )


def test_a_regions_bonus_economics_by_hand_with_empty_cells_for_zero_denominators():
    regions = segment_summary(hand_graded(), "region").set_index("region")
    vip = regions.loc[110]
    assert (vip["bonus_earned"], vip["bonus_spent"]) == (150.0, 60.0)
    assert vip["bonus_spent_to_earned"] == pytest.approx(0.4)
    assert vip["bonus_spent_share"] == pytest.approx(60 / 900)
    assert vip["discount_share"] == pytest.approx(0.1)  # Σ discount / Σ gross, not the mean of the clients' shares
    assert vip["bonus_clients_share"] == pytest.approx(0.5)
    assert vip["ltv"] == pytest.approx(650.0)
    cold = regions.loc[510]  # earned nothing, no gross amount: empty, not an error
    assert pd.isna(cold["bonus_spent_to_earned"]) and pd.isna(cold["discount_share"])
    assert cold["bonus_clients_share"] == 0.0 and cold["ltv"] == 100.0
    empty = regions.loc[220]  # no client
    assert empty["bonus_earned"] == 0.0 and all(
        pd.isna(empty[n]) for n in BONUS_ECONOMICS if n.endswith(("share", "ltv"))
    )
    clusters = segment_summary(hand_graded(), "cluster").set_index("cluster")
    assert clusters.loc[11, "ltv"] == pytest.approx(650.0) and clusters.loc[43, "bonus_clients_share"] == 0.0
    assert list(regions.columns[-len(BONUS_ECONOMICS) :]) == BONUS_ECONOMICS
