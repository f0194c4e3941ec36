"""Overview SQL (tabs «Клиенты», «Аптеки») on tiny hand-computed data, on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.model import Period
from core.overview import load_overview, shop_sort_key
from tests.conftest import cheques_frame, load_cheques

ROWS = [
    # datetime, card, amount, shop, doc_id
    ("2022-01-05 10:00", "1", 100.0, "Аптека 2", "a"),
    ("2022-01-05 10:00", "1", 50.0, "Аптека 2", "a"),  # second row of cheque a → 150
    ("2022-01-20 12:00", None, 40.0, "Аптека 2", "b"),
    ("2022-02-03 09:00", "2", 300.0, "Аптека 10", "c"),
    ("2022-02-10 09:00", "x7", 60.0, "Аптека 10", "d"),  # not a card: unidentified
    ("2022-02-11 09:00", "1", 90.0, "Аптека 10", "e"),
    ("2021-12-01 09:00", "3", 10.0, "Аптека 2", "f"),
]


@pytest.fixture
def engine(db_engine):
    load_cheques(db_engine, cheques_frame(ROWS))
    return db_engine


def test_totals_and_shares_count_cheques_by_doc_id(engine):
    o = load_overview(engine, Period(dt.date(2022, 1, 1), dt.date(2022, 2, 28)))
    assert (o.cheques, o.unidentified_cheques) == (5, 2)
    assert o.revenue == pytest.approx(640.0)
    assert o.unidentified_revenue == pytest.approx(100.0)
    assert (o.first_date, o.last_date) == (dt.date(2022, 1, 5), dt.date(2022, 2, 11))


def test_monthly_cheques_are_split_by_identification(engine):
    o = load_overview(engine, Period(dt.date(2022, 1, 1), dt.date(2022, 2, 28)))
    got = {
        (m.strftime("%Y-%m"), bool(i)): c
        for m, i, c in o.monthly[["month", "identified", "cheques"]].itertuples(index=False)
    }
    assert got == {("2022-01", True): 1, ("2022-01", False): 1, ("2022-02", True): 2, ("2022-02", False): 1}


def test_new_clients_count_the_first_cheque_ever_not_the_first_in_the_period(engine):
    o = load_overview(engine, Period(dt.date(2022, 1, 1), dt.date(2022, 2, 28)))
    got = dict(zip(o.new_clients["month"].dt.strftime("%Y-%m"), o.new_clients["clients"], strict=False))
    assert got == {"2022-01": 1, "2022-02": 1}  # card 3 is new in 2021-12, outside the period


def test_shop_table_has_shares_average_and_median_cheques_in_natural_order(engine):
    table = load_overview(engine, Period(dt.date(2022, 1, 1), dt.date(2022, 2, 28))).shop_table()
    assert list(table["shop"]) == ["Аптека 2", "Аптека 10"]
    two = table.iloc[0]
    assert two["cheques"] == 2 and two["unidentified_cheque_share"] == pytest.approx(0.5)
    assert two["unidentified_revenue_share"] == pytest.approx(40 / 190)
    assert two["avg_identified"] == pytest.approx(150.0) and two["median_unidentified"] == pytest.approx(40.0)
    ten = table.iloc[1]
    assert ten["median_identified"] == pytest.approx(90.0)  # percentile_disc(0.5) of {90, 300}
    assert ten["avg_identified"] == pytest.approx(195.0)


def test_a_closed_pharmacy_shows_in_monthly_revenue_by_its_last_month(engine):
    o = load_overview(engine)
    last = o.shop_table().set_index("shop")["last_month"]
    assert last["Аптека 2"].strftime("%Y-%m") == "2022-01" and last["Аптека 10"].strftime("%Y-%m") == "2022-02"


def test_an_empty_period_is_empty_not_an_error(engine):
    o = load_overview(engine, Period(dt.date(2030, 1, 1), None))
    assert o.is_empty and o.shop_table().empty and o.unidentified_cheque_share == 0.0


def test_shop_names_sort_naturally():
    assert sorted(["Аптека 10", "Аптека 2", "Аптека 1"], key=shop_sort_key) == ["Аптека 1", "Аптека 2", "Аптека 10"]


def test_the_one_row_per_cheque_path_gives_the_same_overview_and_amounts(db_engine):
    """Recorded at import that every row is a cheque, the queries skip GROUP BY doc_id: the same figures."""
    from core.db import record_doc_ids_unique
    from core.research import load_amount_histograms
    from tests.support.chain import chain_cheques

    load_cheques(db_engine, chain_cheques(clients=80, anonymous=200))
    with db_engine.begin() as conn:
        record_doc_ids_unique(conn, unique=False)  # as if unknown: the general path, GROUP BY doc_id
    general = load_overview(db_engine), load_amount_histograms(db_engine)
    with db_engine.begin() as conn:
        assert record_doc_ids_unique(conn)
    fast = load_overview(db_engine), load_amount_histograms(db_engine)
    for name in ("monthly", "shops", "shop_monthly", "new_clients"):
        pd.testing.assert_frame_equal(getattr(fast[0], name), getattr(general[0], name), check_exact=False)
    for flag in (True, False):
        pd.testing.assert_series_equal(fast[1][flag], general[1][flag])
    assert fast[0].cheques == general[0].cheques > 0
