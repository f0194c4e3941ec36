"""One analysis from database to segments: by hand, an empty period, a single client, typed empty results."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.classify import classify
from core.model import Period
from core.summaries import class_counts, segment_summary
from tests.conftest import cheques_frame, load_cheques


def test_classification_by_hand(hand_engine):
    result = classify(hand_engine)
    s = result.suggestion
    # D: 100 → 5, 200 → 16, 300 → 16: p20 = 5, p40 = 16; gaps {10, 30}: p95 = 30
    assert (s.thresholds.r1, s.thresholds.r2, s.thresholds.r3, s.churn_period) == (5, 16, 30, 30)
    # amounts sorted 150 150 300 400 600 1000: p80 = 5th = 600, p40 = ceil(2.4) = 3rd = 300
    assert (s.thresholds.m1, s.thresholds.m2) == (600.0, 300.0)
    clients = result.clients.set_index("card")
    # card 100: A = 35 > B = 5: end = min(01-31 + 30, T) = T → intervals = 35/5 = 7 → F = 3/7
    assert clients.loc["100", "frequency"] == round(3 / 7, 6)
    assert clients.loc["100", "recency_days"] == 5 and clients.loc["100", "r"] == 1
    assert clients.loc["100", "avg_cheque"] == 200.0 and clients.loc["100", "m"] == 3
    # F: 100 → 3/7 = 0.428571, 200 → 1/(16/5) = 0.3125, 300 → 2/(26/5) = 0.384615: f1 = p85 = 0.428571
    assert result.thresholds.f1 == 0.428571 and result.thresholds.f2 == round(5 / 30, 6)
    assert clients.loc["200", "frequency"] == 0.3125
    assert clients.loc["200", "class"] == "2213"  # D = 16, rare, M = 1000 > 600, A = 16 (newbie)
    assert clients.loc["200", "cluster"] == 23 and clients.loc["200", "region"] == 220


def test_empty_period_gives_an_empty_result_with_a_message(hand_engine):
    result = classify(hand_engine, Period(dt.date(2023, 1, 1), dt.date(2023, 2, 1)))
    assert result.clients.empty and result.thresholds is None
    assert "нет" in result.message
    only_unidentified = classify(hand_engine, Period(dt.date(2022, 2, 3), dt.date(2022, 2, 5)))
    assert only_unidentified.clients.empty
    assert "идентифицированных" in only_unidentified.message


def test_single_client_is_classified(db_engine):
    load_cheques(db_engine, cheques_frame([("2022-03-01 10:00", "7", 500.0)]))
    result = classify(db_engine)
    assert len(result.clients) == 1
    # D = 0 → r1 = min(max(0, 1), r2 − 1) = 1; rule 1 default C = 105
    assert result.thresholds.r3 == 105 and result.clients["class"].iloc[0][0] == "1"


def test_an_empty_result_has_typed_columns_and_zero_summaries(hand_engine):
    result = classify(hand_engine, Period(dt.date(2023, 1, 1), dt.date(2023, 2, 1)))
    graded = classify(hand_engine).clients
    assert list(result.clients.columns) == list(graded.columns)
    assert (result.clients.dtypes == graded.dtypes).all()
    regions = segment_summary(result.clients, "region")
    assert regions["clients"].sum() == 0 and len(regions) == 9
    assert class_counts(result.clients)["clients"].sum() == 0


def test_a_monthly_series_reads_first_purchases_once_and_classifies_each_period_as_alone(tmp_path):
    """classify_series (first purchases before the start read once, up to the last end) gives each period the very
    classification of classify alone: Age still counts from purchases before the series' start."""
    from core.classify import classify_series
    from core.db import make_engine
    from core.history import month_ends
    from tests.support.chain import build_chain_database

    engine = make_engine(build_chain_database(tmp_path / "chain.duckdb"))
    start = dt.date(2022, 1, 1)  # the chain's cheques begin on 01.07.2021
    periods = [Period(start, end) for end in month_ends(start, dt.date(2022, 6, 30))]
    series = list(classify_series(engine, periods))
    assert len(series) == len(periods) == 6
    alone = [classify(engine, period) for period in periods]
    engine.dispose()
    for one, other in zip(series, alone, strict=True):
        assert one.thresholds == other.thresholds
        pd.testing.assert_frame_equal(one.clients, other.clients)
    last = alone[-1].clients
    assert (last["age_days"] > (dt.date(2022, 6, 30) - start).days).any()  # purchases before the start count
