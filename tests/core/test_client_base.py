"""The client base aggregated in SQL on DuckDB, PostgreSQL and ClickHouse: by hand, and against plain pandas on
random cheques."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.classify import classify
from core.client_base import load_client_base
from core.db import bonuscheques, record_doc_ids_unique, recorded_doc_ids_unique
from core.model import Period
from core.summaries import class_counts
from tests.conftest import cheques_frame, load_cheques
from tests.core.reference import reference_classify


def test_client_base_is_aggregated_in_sql_by_hand(hand_engine):
    base = load_client_base(hand_engine, with_shops=True)
    assert base.analysis_date == dt.date(2022, 2, 5)  # the last cheque, identified or not
    assert base.cheques == 10  # cheque rows in the period
    clients = base.clients.set_index("card").sort_index()
    assert list(clients.index) == ["100", "200", "300"]
    assert clients.loc["100", "purchases"] == 3  # doc_id A, B (two rows), C
    assert clients.loc["100", "revenue"] == 600.0
    assert clients.loc["100", "shops"] == 2
    assert base.gap_histogram.to_dict() == {10: 1, 30: 1}  # 100: 01-01 → 01-31, 300: 01-10 → 01-20
    # identified cheque amounts: A 300, B 150, C 150, D 1000, H 400, I 600
    assert base.amount_histogram.to_dict() == {150.0: 2, 300.0: 1, 400.0: 1, 600.0: 1, 1000.0: 1}
    assert sorted(base.recency_days.tolist()) == [5, 16, 16]


def test_period_filter_and_analysis_date_follow_the_period(hand_engine):
    base = load_client_base(hand_engine, Period(dt.date(2022, 1, 5), dt.date(2022, 1, 20)))
    assert base.analysis_date == dt.date(2022, 1, 20)  # 23:59 on the last day is inside
    assert sorted(base.clients["card"]) == ["200", "300"]


DAYS = st.integers(min_value=0, max_value=120)


CARDS = st.sampled_from(["1", "2", "3", "04", "5", "66", "7", "x8", "", None])


CHEQUE = st.tuples(
    DAYS, st.integers(min_value=8, max_value=21), CARDS, st.integers(min_value=1, max_value=5000), st.integers(0, 3)
)


def _frame_from(draw_rows, one_row_cheques: bool = False) -> pd.DataFrame:
    rows = []
    for i, (day, hour, card, cents, lines) in enumerate(draw_rows):
        lines = 0 if one_row_cheques else lines
        stamp = dt.datetime(2022, 1, 1, hour) + dt.timedelta(days=day)
        # a cheque may have several rows (lines) with the same doc_id
        for line in range(lines + 1):
            rows.append((stamp, card if card != "" else None, cents / 10 + line, "Аптека 1", f"doc{i}"))
    return cheques_frame(rows)


def _assert_matches_reference(engine, frame, period=Period()):
    with engine.connect() as conn:  # the engine counts rows as purchases only when this says so
        assert recorded_doc_ids_unique(conn) is bool(frame["doc_id"].is_unique)
    result = classify(engine, period)
    expected_thresholds, expected = reference_classify(frame, period.date_from, period.date_to)
    if expected.empty:
        assert result.clients.empty
        return
    t = result.thresholds
    assert (t.r1, t.r2, t.r3) == (expected_thresholds["r1"], expected_thresholds["r2"], expected_thresholds["r3"])
    assert t.f2 == expected_thresholds["f2"]
    assert t.f1 == pytest.approx(expected_thresholds["f1"], abs=1e-9)
    assert (t.m1, t.m2) == pytest.approx((expected_thresholds["m1"], expected_thresholds["m2"]))
    assert result.base.analysis_date == expected_thresholds["T"]
    got = result.clients.set_index("card").sort_index()
    want = expected.set_index("card").sort_index()
    assert list(got.index) == list(want.index)
    assert (got["purchases"] == want["n"]).all()
    assert got["revenue"].to_numpy() == pytest.approx(want["revenue"].to_numpy())
    assert (got["frequency"].to_numpy() == want["F"].to_numpy()).all()
    for grade in "rfma":
        assert (got[grade].to_numpy() == want[grade].to_numpy()).all(), grade
    assert (got["region"].to_numpy() == want["region"].to_numpy()).all()
    assert len(got) == int(class_counts(result.clients)["clients"].sum())  # each client in exactly one class


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(CHEQUE, min_size=1, max_size=60), cut=st.integers(0, 60), one_row=st.booleans())
def test_pushdown_equals_plain_pandas_on_random_cheques_duckdb(tmp_path_factory, rows, cut, one_row):
    from core.db import create_tables, make_engine

    engine = make_engine(f"duckdb:///{tmp_path_factory.mktemp('prop') / 'p.duckdb'}")
    with engine.begin() as conn:
        create_tables(conn)
    frame = _frame_from(rows, one_row)
    load_cheques(engine, frame)
    _assert_matches_reference(engine, frame)
    _assert_matches_reference(engine, frame, Period(dt.date(2022, 1, 1) + dt.timedelta(days=cut), None))
    engine.dispose()


@pytest.mark.postgres
def test_pushdown_equals_plain_pandas_on_random_cheques_postgresql(postgres_url):
    from core.db import create_tables, make_engine

    engine = make_engine(postgres_url)

    @settings(max_examples=25, deadline=None)
    @given(rows=st.lists(CHEQUE, min_size=1, max_size=60), one_row=st.booleans())
    def check(rows, one_row):
        with engine.begin() as conn:
            conn.execute(bonuscheques.delete()) if _has_table(conn) else create_tables(conn)
        frame = _frame_from(rows, one_row)
        load_cheques(engine, frame)
        _assert_matches_reference(engine, frame)

    check()
    engine.dispose()


@pytest.mark.clickhouse
def test_pushdown_equals_plain_pandas_on_random_cheques_clickhouse(chdb_url):
    from core.db import create_tables, make_engine

    engine = make_engine(chdb_url)

    @settings(max_examples=25, deadline=None)
    @given(rows=st.lists(CHEQUE, min_size=1, max_size=60), cut=st.integers(0, 60), one_row=st.booleans())
    def check(rows, cut, one_row):
        with engine.begin() as conn:
            conn.execute(bonuscheques.delete()) if _has_table(conn) else create_tables(conn)
        frame = _frame_from(rows, one_row)
        load_cheques(engine, frame)
        _assert_matches_reference(engine, frame)
        _assert_matches_reference(engine, frame, Period(dt.date(2022, 1, 1) + dt.timedelta(days=cut), None))

    check()
    engine.dispose()


def _has_table(conn):
    from core.db import table_exists

    return table_exists(conn)


def test_a_base_computes_threshold_free_arrays_once_and_does_not_pickle_them(hand_engine):
    import pickle

    from core.classify import classify_base
    from core.model import ThresholdPins

    base = load_client_base(hand_engine)
    first = classify_base(base)
    recency = base.recency_days
    again = classify_base(base, ThresholdPins(m1=450.0))  # re-grading: no new aggregation, same arrays
    assert base.recency_days is recency and not recency.flags.writeable  # shared, so nobody may change it
    assert (again.clients["recency_days"].to_numpy() == first.clients["recency_days"].to_numpy()).all()
    assert (again.clients["m"] != first.clients["m"]).any()
    restored = pickle.loads(pickle.dumps(base))
    assert "recency_days" not in restored.__dict__ and "_frequency" not in restored.__dict__
    assert (restored.recency_days == recency).all()


@pytest.mark.postgres
def test_postgresql_planner_settings_apply_to_one_statement_only(postgres_url):
    import sqlalchemy as sa

    from core.db import make_engine
    from core.fetch import fetch_frame, with_postgresql_settings

    engine = make_engine(postgres_url)
    setting = sa.select(sa.func.current_setting("enable_hashagg").label("value"))
    with engine.connect() as conn:
        assert fetch_frame(conn, with_postgresql_settings(setting, enable_hashagg="off"))["value"].tolist() == ["off"]
        assert conn.execute(setting).scalar_one() == "on"  # restored for the rest of the transaction
        assert fetch_frame(conn, setting)["value"].tolist() == ["on"]
    engine.dispose()


@pytest.mark.parametrize("with_shops", [False, True])
def test_clients_come_in_card_order_on_every_backend_and_path(db_engine, with_shops):
    """Positions into the client frame are kept between requests: its order must not be the hash table's."""
    from tests.support.chain import chain_cheques

    load_cheques(db_engine, chain_cheques(clients=600, anonymous=50))
    with db_engine.begin() as conn:
        record_doc_ids_unique(conn)  # DuckDB's one-scan path as well as the general one
    for period in (Period(), Period(dt.date(2022, 1, 1), None)):
        cards = load_client_base(db_engine, period, with_shops=with_shops).clients["card"]
        assert cards.is_monotonic_increasing and cards.is_unique and len(cards) > 100


def test_age_counts_from_the_first_purchase_ever_and_the_newbie_rule_from_the_periods_first(db_engine):
    """SPEC §1–2: a client who has bought for a year is no newbie in a one-month period."""
    from core.thresholds import frequency_rate

    rows = [
        ("2021-06-01 10:00", "100", 500.0),  # before the period: only Age sees it
        ("2022-06-10 10:00", "100", 500.0),
        ("2022-06-20 10:00", "200", 300.0),  # a new client
        ("2022-06-30 10:00", None, 100.0),  # T, unidentified
        ("2022-07-15 10:00", "200", 300.0),  # after T: not history up to T
    ]
    load_cheques(db_engine, cheques_frame(rows))
    base = load_client_base(db_engine, Period(dt.date(2022, 6, 1), dt.date(2022, 6, 30)))
    ages = dict(zip(base.clients["card"], base.age_days, strict=True))
    assert ages == {"100": (dt.date(2022, 6, 30) - dt.date(2021, 6, 1)).days, "200": 10}
    first = dict(zip(base.clients["card"], base.first_dates.astype("datetime64[D]").astype(str), strict=True))
    assert first == {"100": "2022-06-10", "200": "2022-06-20"}  # the period's first purchase is kept for display
    # the frequency's newbie rule (T − first <= B) looks at the period's first purchase, not at the tenure
    rates = dict(zip(base.clients["card"], frequency_rate(base, base_interval=21, churn_period=60), strict=True))
    assert rates == {"100": 1.0, "200": 1.0}
    whole = load_client_base(db_engine, Period(None, dt.date(2022, 6, 30)))
    assert dict(zip(whole.clients["card"], whole.age_days, strict=True))["100"] == ages["100"]


def test_every_clients_earlier_purchases_give_its_age_and_history_revenue_alone_and_in_a_series(db_engine):
    """Each client's first purchase and revenue before the period are matched to it by card (every client of the
    period has earlier purchases but one), reading the history itself and from a series' shared first purchases."""
    from core.client_base import load_first_purchases

    rows = [
        ("2021-06-01 10:00", "100", 500.0),
        ("2021-09-15 10:00", "200", 70.0),
        ("2022-01-03 10:00", "300", 20.0),
        ("2022-06-10 10:00", "100", 50.0),
        ("2022-06-12 10:00", "200", 30.0),
        ("2022-06-20 10:00", "300", 5.0),
        ("2022-06-25 10:00", "400", 9.0),  # new in the period
        ("2022-06-30 10:00", None, 100.0),  # T
    ]
    load_cheques(db_engine, cheques_frame(rows))
    period = Period(dt.date(2022, 6, 1), dt.date(2022, 6, 30))
    t = dt.date(2022, 6, 30)
    ages = {"100": (t - dt.date(2021, 6, 1)).days, "200": (t - dt.date(2021, 9, 15)).days, "300": 178, "400": 5}
    revenue = {"100": 550.0, "200": 100.0, "300": 25.0, "400": 9.0}
    shared = load_first_purchases(db_engine, t, period.date_from)
    for base in (load_client_base(db_engine, period), load_client_base(db_engine, period, first_purchases=shared)):
        assert dict(zip(base.clients["card"], base.age_days.tolist(), strict=True)) == ages
        assert dict(zip(base.clients["card"], base.clients["history_revenue"].tolist(), strict=True)) == revenue
