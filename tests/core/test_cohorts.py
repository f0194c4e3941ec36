"""Cohorts, LTV by age, Pareto and dynamics (SPEC part 2, §7) on hand-computed tables, on DuckDB and PostgreSQL,
and against the plain-pandas reference on random cheque tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.cohorts import (
    CELL_COLUMNS,
    CHAIN,
    DYNAMICS_CATEGORIES,
    DYNAMICS_COLUMNS,
    load_cohort_cards,
    load_cohorts,
    load_dynamics,
    load_dynamics_cards,
    load_pareto,
    load_pareto_band_cards,
    load_pareto_bands,
    ltv_by_age,
    month_index,
)
from core.db import create_tables, make_engine, record_doc_ids_unique
from core.model import Period
from tests.conftest import cheques_frame, load_cheques
from tests.core.reference import reference_cohorts, reference_dynamics, reference_pareto

# datetime, card, amount, shop, doc_id. The period is 2024-02-01 … 2024-05-10 (T; May is partial), r3 = 30.
ROWS = [
    ("2024-01-10 10:00", "1", 100.0, "Аптека 1", "a"),  # card 1: first seen before the period (cohort 2024-01)
    ("2024-02-05 10:00", "1", 40.0, "Аптека 1", "b"),
    ("2024-02-03 11:00", "2", 60.0, "Аптека 1", "c"),  # card 2: cheque c has rows in two pharmacies → 100
    ("2024-02-03 11:00", "2", 40.0, "Аптека 2", "c"),
    ("2024-04-12 12:00", "2", 50.0, "Аптека 2", "d"),  # … nothing in March: a month without activity
    ("2024-02-20 09:00", "3", 30.0, "Аптека 1", "e"),
    ("2024-05-10 18:00", "3", 20.0, "Аптека 1", "f"),  # T
    ("2024-03-01 09:00", "4", 80.0, "Аптека 2", "g"),  # card 4: active on 31.03 at exactly r3, lapsed in April
    ("2024-01-25 09:00", "5", 10.0, "Аптека 1", "h"),  # card 5: active on 31.01, lapsed in February
    ("2024-01-31 09:00", "6", 10.0, "Аптека 2", "i"),  # card 6: one purchase before the period → one-time
    ("2024-04-01 09:00", None, 500.0, "Аптека 1", "u"),  # unidentified: no client metric
    ("2024-05-20 09:00", "2", 999.0, "Аптека 1", "z"),  # after the period's end: not in the history
]
PERIOD = Period(dt.date(2024, 2, 1), dt.date(2024, 5, 10))
R3 = 30


@pytest.fixture
def engine(db_engine):
    load_cheques(db_engine, cheques_frame(ROWS))
    return db_engine


def cell(table: pd.DataFrame, cohort: str, k: int) -> dict:
    row = table[(table["cohort"] == cohort) & (table["months_since"] == k)]
    assert len(row) == 1, (cohort, k)
    return row.iloc[0].to_dict()


def test_cohort_cells_follow_every_rule(engine):
    cohorts = load_cohorts(engine, PERIOD)
    table = cohorts.table()
    assert list(table.columns) == CELL_COLUMNS
    # cohort 2024-01 (cards 1, 5, 6: first seen before the period's month) is not shown; no client came in April/May
    assert list(table["cohort"]) == ["2024-02"] * 4 + ["2024-03"] * 3
    assert list(table["months_since"]) == [0, 1, 2, 3, 0, 1, 2]
    first = cell(table, "2024-02", 0)  # cards 2 and 3; cheque c counts once, with both rows' amount
    assert (first["cohort_clients"], first["active_clients"], first["purchases"]) == (2, 2, 2)
    assert (first["revenue"], first["avg_cheque"], first["ltv"], first["retention"]) == (130.0, 65.0, 65.0, 1.0)
    march = cell(table, "2024-02", 1)  # the month without activity is a cell too
    assert (march["active_clients"], march["purchases"], march["revenue"], march["retention"]) == (0, 0, 0.0, 0.0)
    assert np.isnan(march["avg_cheque"]) and march["ltv"] == 65.0
    april = cell(table, "2024-02", 2)
    assert (april["active_clients"], april["retention"], april["revenue"], april["ltv"]) == (1, 0.5, 50.0, 90.0)
    may = cell(table, "2024-02", 3)  # 999 on 20.05 is after T
    assert (may["revenue"], may["ltv"], may["partial"]) == (20.0, 100.0, True)
    assert list(table["partial"]) == [False, False, False, True, False, False, True]
    assert [cell(table, "2024-03", k)["ltv"] for k in range(3)] == [80.0, 80.0, 80.0]


def test_the_month_of_t_is_whole_when_t_is_its_last_day(engine):
    january = load_cohorts(engine, Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))).table()  # T = 31.01
    assert list(january["cohort"]) == ["2024-01"] and not january["partial"].any()
    march = load_cohorts(
        engine, Period(dt.date(2024, 2, 1), dt.date(2024, 3, 31))
    ).table()  # T = 01.03, the last cheque
    assert list(march["partial"]) == [False, True, True]


def test_a_segment_keeps_its_clients_whole_history(engine):
    table = load_cohorts(engine, PERIOD, cards=["2"]).table()
    assert list(table["cohort_clients"].unique()) == [1]
    assert list(table["revenue"]) == [100.0, 0.0, 50.0, 0.0]
    assert list(table["ltv"]) == [100.0, 100.0, 150.0, 150.0]
    assert load_cohorts(engine, PERIOD, cards=[]).is_empty


def test_ltv_by_age_groups_cohorts_by_their_age_at_t(engine):
    curves = load_cohorts(engine, PERIOD).ltv_by_age()
    young = curves[curves["group"] == "0–2"]  # cohort 2024-03, age 2
    assert list(young["ltv"]) == [80.0, 80.0, 80.0]
    older = curves[curves["group"] == "3–5"]  # cohort 2024-02, age 3
    assert list(older["months_since"]) == [0, 1, 2, 3] and list(older["ltv"]) == [65.0, 65.0, 90.0, 100.0]


def test_ltv_by_age_weights_by_cohort_size_up_to_the_youngest_cohorts_age():
    cells = pd.DataFrame(
        {
            "cohort": [10, 10, 10, 11, 11],
            "months_since": [0, 1, 2, 0, 1],
            "cohort_clients": [3, 3, 3, 1, 1],
            "ltv": [10.0, 20.0, 30.0, 50.0, 60.0],
        }
    )
    curves = ltv_by_age(cells, _at(12))
    assert list(curves["group"]) == ["0–2", "0–2"]
    assert list(curves["months_since"]) == [0, 1]  # cohort 11 (age 1) has not reached k = 2
    assert list(curves["ltv"]) == [(3 * 10 + 50) / 4, (3 * 20 + 60) / 4]
    assert list(curves["clients"]) == [4, 4]


def _at(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 15)


def test_pareto_sorts_the_periods_clients_by_revenue(engine):
    pareto = load_pareto(engine, PERIOD)  # cards 2 (150), 4 (80), 3 (50), 1 (40); 5 and 6 bought before S
    assert pareto.as_json() == {
        "clients": 4,
        "revenue": 320.0,
        "top20_revenue_share": 150 / 320,  # the top ceil(0.2 × 4) = 1 client
        "clients_share_for_80_revenue": 0.75,  # 150 + 80 < 256 <= 150 + 80 + 50
    }
    assert list(pareto.curve["client_share"])[-1] == 1.0 and list(pareto.curve["revenue_share"])[-1] == 1.0


def test_pareto_reaches_80_percent_exactly(db_engine):
    rows = [("2024-01-01", "1", 80.0, "Аптека 1", "a"), ("2024-01-02", "2", 10.1, "Аптека 1", "b")]
    rows += [("2024-01-03", "3", 9.9, "Аптека 1", "c")]
    load_cheques(db_engine, cheques_frame(rows))
    pareto = load_pareto(db_engine)
    assert pareto.clients_share_for_80_revenue == pytest.approx(1 / 3)  # 80.00 of 100.00 is "at least 80%"
    assert pareto.top20_revenue_share == pytest.approx(0.8)


EXPECTED_DYNAMICS = {
    # shop: month → (active, new, one-time, repeat, lapsed)
    CHAIN: {
        "2024-02": (4, 2, 1, 1, 1),  # 2, 3 new; 6 one-time (first seen before S); 1 repeat; 5 lapsed
        "2024-03": (1, 1, 0, 0, 4),  # 4 new; 1, 2, 3, 6 lapsed
        "2024-04": (1, 0, 0, 1, 1),  # 4 lapsed: 31.03 − 01.03 = r3 (active), 30.04 − 01.03 > r3
        "2024-05": (2, 0, 0, 2, 0),  # 2 still active at T: 10.05 − 12.04 = 28
    },
    "Аптека 1": {
        "2024-02": (3, 2, 0, 1, 1),
        "2024-03": (0, 0, 0, 0, 3),
        "2024-04": (0, 0, 0, 0, 0),
        "2024-05": (1, 0, 0, 1, 0),
    },
    "Аптека 2": {  # card 2's cheque c has a row here too: card 2 is in both pharmacies' bases
        "2024-02": (2, 1, 1, 0, 0),
        "2024-03": (1, 1, 0, 0, 2),
        "2024-04": (1, 0, 0, 1, 1),
        "2024-05": (1, 0, 0, 1, 0),
    },
}


def test_dynamics_per_chain_and_pharmacy(engine):
    table = load_dynamics(engine, R3, PERIOD).table()
    assert list(table.columns) == DYNAMICS_COLUMNS
    got = {(row.shop, row.month): tuple(row[2:]) for row in table.itertuples(index=False)}
    expected = {(shop, month): values for shop, months in EXPECTED_DYNAMICS.items() for month, values in months.items()}
    assert got == expected
    assert list(table["shop"][:3]) == [CHAIN, "Аптека 1", "Аптека 2"]


def test_dynamics_at_one_day_shorter_churn_period_card_4_is_never_active_at_a_month_end(engine):
    table = load_dynamics(engine, R3 - 1, PERIOD).table()
    chain = table[table["shop"] == CHAIN].set_index("month")
    assert tuple(chain.loc["2024-03"].iloc[1:]) == (0, 0, 0, 0, 4)  # 31.03 − 01.03 = 30 > 29: neither active nor new
    assert chain.loc["2024-04", "lapsed_clients"] == 0  # … so not lapsed in April either


# --- the SQL equals the plain-pandas reference on random cheque tables ---------------------------------------------

START = dt.datetime(2023, 11, 1)
cheque_rows = st.lists(
    st.tuples(
        st.integers(0, 200),  # day offset
        st.sampled_from(["1", "2", "3", "4", "5", None, "x"]),
        st.integers(-500, 50_000).map(lambda cents: cents / 100),
        st.sampled_from(["Аптека 1", "Аптека 2", "Аптека 10"]),
        st.integers(0, 30),  # doc id: repeated ids make multi-row cheques
    ),
    min_size=1,
    max_size=40,
)


def _frame(rows, one_row_cheques: bool = False):
    records = []
    for i, (day, card, amount, shop, doc) in enumerate(rows):
        doc_id = f"{card}-{i if one_row_cheques else doc}"  # a cheque belongs to one card
        records.append(((START + dt.timedelta(days=day, hours=doc % 12)).isoformat(), card, amount, shop, doc_id))
    return cheques_frame(records)


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend",
    [
        "duckdb",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("chdb", marks=pytest.mark.clickhouse),
    ],
)
def test_sql_equals_the_reference_on_random_tables(backend, request, tmp_path):
    fixture = {"postgresql": "postgres_url", "chdb": "chdb_url"}.get(backend)
    url = f"duckdb:///{tmp_path / 'h.duckdb'}" if fixture is None else request.getfixturevalue(fixture)
    engine = make_engine(url)

    examples = 15 if backend == "chdb" else 40  # chDB: a few minutes less of CI for the same statements

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        rows=cheque_rows,
        start=st.sampled_from([None, 20, 45]),
        end=st.sampled_from([None, 120, 150]),
        r3=st.integers(3, 60),
        one_row=st.booleans(),
    )
    def check(rows, start, end, r3, one_row):
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bonuscheques")
            create_tables(conn)
        cheques = _frame(rows, one_row)
        load_cheques(engine, cheques)
        if one_row:  # recorded: the one-row-cheque paths (no GROUP BY doc_id) are taken
            with engine.begin() as conn:
                assert record_doc_ids_unique(conn)
        date_from = None if start is None else (START + dt.timedelta(days=start)).date()
        date_to = None if end is None else (START + dt.timedelta(days=end)).date()
        period = Period(date_from, date_to)
        expected = reference_cohorts(cheques, date_from, date_to)
        got = load_cohorts(engine, period).cells
        if expected.empty:
            assert got.empty
        else:
            pd.testing.assert_frame_equal(got, expected[CELL_COLUMNS], check_dtype=False, atol=1e-6)
        pareto = load_pareto(engine, period).as_json()
        reference = reference_pareto(cheques, date_from, date_to)
        assert pareto["clients"] == reference["clients"]
        assert pareto["revenue"] == pytest.approx(reference["revenue"], abs=1e-6)
        for name in ("top20_revenue_share", "clients_share_for_80_revenue"):
            assert (
                pareto[name] == pytest.approx(reference[name], abs=1e-9)
                if reference[name] is not None
                else (pareto[name] is None)
            )
        expected = reference_dynamics(cheques, r3, date_from, date_to)
        got = load_dynamics(engine, r3, period).rows
        if expected.empty:
            assert got.empty
            return
        got = got[got["shop"].isin(set(expected["shop"]))]  # a shop only seen after T has no rows in the reference
        key = ["month", "shop"]
        pd.testing.assert_frame_equal(
            got.sort_values(key).reset_index(drop=True),
            expected[DYNAMICS_COLUMNS].sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )

    try:
        check()
    finally:
        engine.dispose()


def test_month_index_is_year_times_twelve_plus_month_minus_one():
    assert month_index(dt.date(2024, 1, 31)) == 2024 * 12
    assert month_index(dt.date(2024, 12, 1)) == 2024 * 12 + 11


# --- the clients behind a cell, a band, a bar (the tab's click-through) --------------------------------------------

FEB, MAR, APR, MAY = (month_index(dt.date(2024, m, 1)) for m in (2, 3, 4, 5))


def test_cohort_cards_of_each_cell_and_of_a_whole_cohort(engine):
    assert load_cohort_cards(engine, FEB, None, PERIOD) == ["2", "3"]
    assert load_cohort_cards(engine, FEB, 0, PERIOD) == ["2", "3"]
    assert load_cohort_cards(engine, FEB, 1, PERIOD) == []  # the month without activity
    assert load_cohort_cards(engine, FEB, 2, PERIOD) == ["2"]
    assert load_cohort_cards(engine, FEB, 3, PERIOD) == ["3"]  # the partial month; 999 on 20.05 is after T
    assert load_cohort_cards(engine, MAR, 0, PERIOD) == ["4"]
    assert load_cohort_cards(engine, FEB - 1, None, PERIOD) == []  # 2024-01 (cards 1, 5, 6) is not shown
    assert load_cohort_cards(engine, MAR, 3, PERIOD) == []  # beyond month(T)


def test_cohort_cards_of_a_segment(engine):
    assert load_cohort_cards(engine, FEB, None, PERIOD, cards=["2"]) == ["2"]
    assert load_cohort_cards(engine, FEB, 3, PERIOD, cards=["2"]) == []
    assert load_cohort_cards(engine, FEB, None, PERIOD, cards=[]) == []


def test_pareto_bands_split_the_clients_by_rank(engine):
    # period revenue: card 2 150, card 4 80, card 3 50, card 1 40 (cards 5, 6 bought before the period only)
    bands = load_pareto_bands(engine, PERIOD)
    assert list(bands["band"]) == [1, 2, 3, 4, 5]
    assert list(bands["clients"]) == [1, 1, 1, 1, 0]
    assert list(bands["revenue"]) == [150.0, 80.0, 50.0, 40.0, 0.0]
    assert bands["revenue_share"].iloc[0] == pytest.approx(load_pareto(engine, PERIOD).top20_revenue_share)
    assert [load_pareto_band_cards(engine, j, PERIOD) for j in range(1, 6)] == [["2"], ["4"], ["3"], ["1"], []]
    assert load_pareto_band_cards(engine, 9, PERIOD) == []


EXPECTED_DYNAMICS_CARDS = {
    (CHAIN, FEB): {
        "active": ["1", "2", "3", "6"],
        "new": ["2", "3"],
        "one_time": ["6"],
        "repeat": ["1"],
        "lapsed": ["5"],
    },
    (CHAIN, MAR): {"active": ["4"], "new": ["4"], "one_time": [], "repeat": [], "lapsed": ["1", "2", "3", "6"]},
    (CHAIN, APR): {"active": ["2"], "new": [], "one_time": [], "repeat": ["2"], "lapsed": ["4"]},
    (CHAIN, MAY): {"active": ["2", "3"], "new": [], "one_time": [], "repeat": ["2", "3"], "lapsed": []},
    ("Аптека 2", FEB): {"active": ["2", "6"], "new": ["2"], "one_time": ["6"], "repeat": [], "lapsed": []},
}


def test_dynamics_cards_of_each_bar(engine):
    for (shop, month), categories in EXPECTED_DYNAMICS_CARDS.items():
        for category, cards in categories.items():
            assert load_dynamics_cards(engine, R3, month, shop, category, PERIOD) == cards, (shop, month, category)
    assert load_dynamics_cards(engine, R3, FEB - 1, CHAIN, "active", PERIOD) == []  # outside the period
    with pytest.raises(ValueError):
        load_dynamics_cards(engine, R3, FEB, CHAIN, "sleeping", PERIOD)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_cards_of_every_cell_band_and_bar_are_the_reference_counts(backend, request, tmp_path):
    """Random cheque tables: each cell's, band's and bar's cards are as many as the table (equal to the pandas
    reference above) counts, and a cell's cards are its cohort's clients who bought in that month, by hand."""
    url = f"duckdb:///{tmp_path / 'c.duckdb'}" if backend == "duckdb" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=cheque_rows, start=st.sampled_from([None, 45]), r3=st.integers(3, 60), pick=st.integers(0, 10_000))
    def check(rows, start, r3, pick):
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bonuscheques")
            create_tables(conn)
        cheques = _frame(rows)
        load_cheques(engine, cheques)
        period = Period(None if start is None else (START + dt.timedelta(days=start)).date(), None)
        cells = reference_cohorts(cheques, period.date_from)
        if not cells.empty:
            row = cells.iloc[pick % len(cells)]
            cohort, k = int(row["cohort"]), int(row["months_since"])
            got = load_cohort_cards(engine, cohort, k, period)
            assert len(got) == row["active_clients"]
            assert len(load_cohort_cards(engine, cohort, None, period)) == row["cohort_clients"]
            known = cheques[cheques["card"].fillna("").str.fullmatch(r"\d+")]
            days = pd.to_datetime(known["datetime"])
            months = days.dt.year * 12 + days.dt.month - 1
            firsts = months.groupby(known["card"]).min()
            members = set(firsts[firsts == cohort].index)
            bought = set(known["card"][(months == cohort + k) & known["card"].isin(members)])
            assert set(got) == bought
        bands = load_pareto_bands(engine, period)
        for j in range(1, len(bands) + 1):
            assert len(load_pareto_band_cards(engine, j, period)) == bands["clients"].iloc[j - 1]
        dynamics = reference_dynamics(cheques, r3, period.date_from)
        if not dynamics.empty:
            row = dynamics.iloc[pick % len(dynamics)]
            for category in DYNAMICS_CATEGORIES:
                got = load_dynamics_cards(engine, r3, int(row["month"]), row["shop"], category, period)
                assert len(got) == row[f"{category}_clients"], category

    try:
        check()
    finally:
        engine.dispose()
