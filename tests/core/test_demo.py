"""The demo generator: exact counts and period, the seed's shape, and the engine's suggestions on it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.classify import classify
from core.db import CHEQUE_COLUMNS, create_tables, make_engine
from core.demo import BASE_CHEQUES, BASE_CLIENTS, DEMO_SEED, DEMO_SHOPS, generate_demo_cheques

SEED_THRESHOLDS = {"r1": 21, "r2": 61, "r3": 105, "f1": 0.96, "f2": 0.2, "m1": 1293, "m2": 504}
SEED_LARGE_REGIONS = {110: 654, 210: 1155, 220: 499, 320: 595, 420: 760, 510: 1737}
FIGURE_TOLERANCE = 0.15
REGION_TOLERANCE = 0.25


def near(target: float, tolerance: float = FIGURE_TOLERANCE):
    return pytest.approx(target, rel=tolerance)


def classify_frame(frame: pd.DataFrame, path):
    """Load the frame into a DuckDB file and classify it with the engine."""
    engine = make_engine(f"duckdb:///{path}")
    try:
        with engine.begin() as conn:
            create_tables(conn)
            raw = conn.connection.driver_connection
            raw.register("frame", frame)
            raw.execute("INSERT INTO bonuscheques SELECT * FROM frame")
            raw.unregister("frame")
        return classify(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_demo_cheques()


@pytest.fixture(scope="module")
def result(demo, tmp_path_factory):
    return classify_frame(demo, tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="module")
def unidentified(demo) -> pd.Series:
    return demo["card"].isna()


def test_scale_one_has_exactly_the_seed_cheques_and_clients(demo):
    assert len(demo) == BASE_CHEQUES == 38_486
    assert demo["card"].nunique() == BASE_CLIENTS == 5_926
    assert demo["doc_id"].is_unique


def test_columns_types_and_row_order(demo):
    assert tuple(demo.columns) == CHEQUE_COLUMNS
    assert demo["datetime"].dtype.kind == "M"
    assert pd.api.types.is_string_dtype(demo["shop"])
    assert pd.api.types.is_string_dtype(demo["card"])
    assert pd.api.types.is_string_dtype(demo["doc_id"])
    for column in ("bonus_earned", "bonus_spent", "summ", "summ_with_disc"):
        values = demo[column].to_numpy()
        assert values.dtype == np.float64
        np.testing.assert_array_equal(values, np.round(values, 2))
    assert demo["datetime"].is_monotonic_increasing


def test_cheques_are_timed_inside_opening_hours(demo):
    hours = demo["datetime"].dt.hour
    assert hours.min() >= 8 and hours.max() < 21
    assert demo["datetime"].dt.time.nunique() > 10_000


def test_cards_look_like_loyalty_card_numbers(demo, unidentified):
    cards = demo.loc[~unidentified, "card"]
    assert cards.str.fullmatch(r"2000\d{9}").all()
    digits = np.array([list(card) for card in cards.unique()], dtype=np.int64)
    weights = np.array([1, 3] * 6)
    check = (10 - (digits[:, :12] * weights).sum(axis=1) % 10) % 10
    np.testing.assert_array_equal(check, digits[:, 12])  # EAN-13 check digit


def test_amounts_and_bonuses_are_consistent(demo, unidentified):
    assert (demo["summ"] >= demo["summ_with_disc"]).all()
    assert (demo["summ_with_disc"] > 0).all()
    assert (demo.loc[unidentified, ["bonus_earned", "bonus_spent"]] == 0).all().all()
    identified = demo.loc[~unidentified]
    rate = identified["bonus_earned"] / identified["summ_with_disc"]
    assert rate.between(0.005, 0.1).mean() > 0.99
    spending = identified["bonus_spent"] > 0
    assert 0.02 < spending.mean() < 0.3
    discount = identified["summ"] - identified["summ_with_disc"]
    assert (discount >= identified["bonus_spent"] - 0.005).all()


def test_bonus_balance_never_goes_negative(demo, unidentified):
    identified = demo.loc[~unidentified, ["card", "bonus_earned", "bonus_spent"]]
    grouped = identified.groupby("card", sort=False)
    balance_after = grouped["bonus_earned"].cumsum() - grouped["bonus_spent"].cumsum()
    assert balance_after.min() >= -0.01


def test_period_dates_are_exact(demo):
    assert demo["datetime"].min().date() == dt.date(2021, 7, 1)
    assert demo["datetime"].max().date() == dt.date(2022, 6, 6)


def test_eight_pharmacies_and_pharmacy_6_closed_in_2022(demo):
    assert set(demo["shop"].unique()) == set(DEMO_SHOPS)
    assert len(DEMO_SHOPS) == 8
    shop6 = demo.loc[demo["shop"] == "Аптека 6", "datetime"]
    assert len(shop6) > 0
    assert shop6.max() < pd.Timestamp("2022-01-01")


def test_unidentified_cheque_and_revenue_shares(demo, unidentified):
    assert unidentified.mean() == near(0.452)
    revenue = demo["summ_with_disc"]
    assert revenue[unidentified].sum() / revenue.sum() == near(0.4039)


def test_revenue_and_cheque_amounts(demo):
    amount = demo["summ_with_disc"]
    assert amount.sum() == near(32_202_608)
    assert amount.median() == near(570)
    assert amount.mean() == near(836.74)
    assert amount.min() == near(6)
    assert amount.max() == near(23_229)


def test_multi_pharmacy_clients_share(demo, unidentified):
    shops = demo.loc[~unidentified].groupby("card")["shop"].nunique()
    assert (shops >= 2).mean() == near(0.0947)


def test_pharmacies_10_and_11_identify_best_and_have_the_largest_cheques(demo, unidentified):
    by_shop = demo.assign(unidentified=unidentified).groupby("shop")
    share = by_shop["unidentified"].mean().sort_values()
    assert set(share.index[:2]) == {"Аптека 10", "Аптека 11"}
    poor = share[["Аптека 1", "Аптека 2", "Аптека 4", "Аптека 7", "Аптека 8"]]
    assert (poor > unidentified.mean()).all()
    for statistic in ("mean", "median"):
        cheque = by_shop["summ_with_disc"].agg(statistic).sort_values(ascending=False)
        assert set(cheque.index[:2]) == {"Аптека 10", "Аптека 11"}, statistic


def test_recency_distance_statistics(result):
    recency = result.clients["recency_days"]
    assert recency.min() == 0
    assert recency.max() == near(332)
    assert recency.mean() == near(113)
    assert recency.median() == near(87)


def test_suggested_thresholds_match_the_seed(result):
    suggested = result.suggestion.as_json(result.base.analysis_date)
    assert suggested["analysis_date"] == "2022-06-06"
    assert suggested["warnings"] == []
    for name, target in SEED_THRESHOLDS.items():
        assert suggested[name] == near(target), name


def test_large_regions_match_the_seed(result):
    sizes = result.clients["region"].value_counts()
    assert len(result.clients) == BASE_CLIENTS
    for region, target in SEED_LARGE_REGIONS.items():
        assert sizes.get(region, 0) == near(target, REGION_TOLERANCE), region


def test_same_seed_gives_the_same_frame(demo):
    pd.testing.assert_frame_equal(generate_demo_cheques(1.0, DEMO_SEED), demo)


def test_another_seed_gives_another_frame_with_the_same_counts(demo):
    other = generate_demo_cheques(1.0, DEMO_SEED + 1)
    assert len(other) == len(demo) and other["card"].nunique() == demo["card"].nunique()
    assert not other["summ_with_disc"].equals(demo["summ_with_disc"])
    assert not other["card"].equals(demo["card"])


def test_scale_two_doubles_the_counts_with_the_same_shape(tmp_path):
    frame = generate_demo_cheques(2.0)
    assert len(frame) == round(2 * BASE_CHEQUES)
    assert frame["card"].nunique() == round(2 * BASE_CLIENTS)
    assert frame["datetime"].min().date() == dt.date(2021, 7, 1)
    assert frame["datetime"].max().date() == dt.date(2022, 6, 6)
    assert frame["card"].isna().mean() == near(0.452)
    result = classify_frame(frame, tmp_path / "demo2.duckdb")
    suggested = result.suggestion.as_json(result.base.analysis_date)
    for name, target in SEED_THRESHOLDS.items():
        assert suggested[name] == near(target), name
    sizes = result.clients["region"].value_counts()
    for region, target in SEED_LARGE_REGIONS.items():
        assert sizes.get(region, 0) == near(2 * target, REGION_TOLERANCE), region


@pytest.mark.parametrize("scale", [0.01, 0.37, 1.5])
def test_any_scale_has_exact_counts_and_period(scale):
    frame = generate_demo_cheques(scale)
    assert len(frame) == round(BASE_CHEQUES * scale)
    assert frame["card"].nunique() == round(BASE_CLIENTS * scale)
    assert frame["datetime"].min().date() == dt.date(2021, 7, 1)
    assert frame["datetime"].max().date() == dt.date(2022, 6, 6)
    assert frame["doc_id"].is_unique


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf")])
def test_scale_must_be_a_positive_number(scale):
    with pytest.raises(ValueError):
        generate_demo_cheques(scale)


def test_the_demo_table_is_recorded_one_row_per_cheque_and_both_paths_agree(demo, result, tmp_path):
    """rfma demo records that every row is a cheque, so the engine takes its one-scan path: same result."""
    from core.db import recorded_doc_ids_unique
    from core.loading import replace_with_demo

    engine = make_engine(f"duckdb:///{tmp_path / 'recorded.duckdb'}")
    replace_with_demo(engine, demo, seed=DEMO_SEED, scale=1.0)
    with engine.connect() as conn:
        assert recorded_doc_ids_unique(conn) is True
    fast = classify(engine)
    engine.dispose()
    assert fast.thresholds == result.thresholds and fast.suggestion.churn_period == result.suggestion.churn_period
    pd.testing.assert_frame_equal(
        fast.clients.sort_values("card").reset_index(drop=True),
        result.clients.sort_values("card").reset_index(drop=True),
    )
    pd.testing.assert_series_equal(fast.base.gap_histogram, result.base.gap_histogram)
    pd.testing.assert_series_equal(fast.base.amount_histogram, result.base.amount_histogram)
