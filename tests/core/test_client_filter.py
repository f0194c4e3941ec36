"""Client filters in their plain form (segment, pharmacy, grades, card, column conditions), sorting, sampling,
and the who-bought-where query on DuckDB and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.classify import classify
from core.client_filter import (
    ClientFilter,
    filter_clients,
    load_shop_clients,
    sample_clients,
    sort_clients,
)
from core.column_filter import ColumnCondition, ColumnFilter
from core.export import filter_segment
from core.model import Period, RfmaError
from core.segment_tree import ALL
from tests.conftest import cheques_frame, load_cheques
from tests.support.bases import HAND_ROWS
from tests.support.chain import chain_cheques


def one(column: str, op: str, value=None, value_to=None) -> ColumnFilter:
    return ColumnFilter(column, (ColumnCondition(column, op, value, value_to),))


def test_filtering_by_a_segment_gives_the_same_cards_as_the_cli_filter(chain_clients):
    for node, kwargs in (("r110", {"regions": [110]}), ("c22", {"clusters": [22]}), ("k1121", {"classes": ["1121"]})):
        ours = filter_clients(chain_clients, ClientFilter.build(node))
        theirs = filter_segment(chain_clients, **kwargs)
        assert set(ours["card"]) == set(theirs["card"]) and len(ours) == len(theirs)
    warm = filter_clients(chain_clients, ClientFilter.build("w2"))
    assert set(warm["region"]) <= {210, 220, 230} and len(warm) == chain_clients["region"].isin([210, 220, 230]).sum()


def test_grade_card_and_column_filters_combine(chain_clients):
    flt = ClientFilter.build(ALL, grades={"r": [1, 2], "m": [1]}, card="1000", columns=[one("revenue", "gt", 500)])
    out = filter_clients(chain_clients, flt)
    expected = chain_clients[
        chain_clients["r"].isin([1, 2])
        & (chain_clients["m"] == 1)
        & chain_clients["card"].str.contains("1000")
        & (chain_clients["revenue"] > 500)
    ]
    assert list(out["card"]) == list(expected["card"]) and len(out) > 0
    assert flt.describe() == [
        "сегмент: Все клиенты",
        "R: 1 недавний, 2 спящий",
        "M: 1 высокий_чек",
        "карта содержит: 1000",
        "фильтры таблицы: Выручка, ₽ > 500",
    ]
    with pytest.raises(RfmaError):
        ClientFilter.build(ALL, grades={"f": [4]})


def test_text_range_date_and_or_conditions(chain_clients):
    purchases = ColumnFilter(
        "purchases",
        (ColumnCondition("purchases", "eq", 1), ColumnCondition("purchases", "between", 5, 6)),
        join="or",
    )
    flt = ClientFilter.build(
        columns=[one("last_date", "gt", "2022-06-01"), purchases, one("class_name", "starts_with", "НЕДАВНИЙ")]
    )
    out = filter_clients(chain_clients, flt)
    c = chain_clients
    expected = c[
        c["class_name"].str.startswith("недавний")
        & (c["purchases"].isin([1, 5, 6]))
        & (c["last_date"] > pd.Timestamp("2022-06-01"))
    ]
    assert set(out["card"]) == set(expected["card"]) and len(out) > 0
    assert [f.column for f in flt.columns] == ["class_name", "last_date", "purchases"]  # one order: one cache key
    assert flt.describe()[-1] == (
        "фильтры таблицы: Описание класса начинается с НЕДАВНИЙ; Последняя покупка > 01.06.2022; "
        "Покупок = 1 или в диапазоне 5 … 6"
    )


def test_an_unknown_column_is_a_russian_error(chain_clients):
    with pytest.raises(RfmaError, match="неизвестной колонке 'nope'"):
        filter_clients(chain_clients, ClientFilter.build(columns=[one("nope", "contains", "x")]))
    with pytest.raises(RfmaError, match="неизвестной колонке 'bonus_earned'"):  # in the frame, not in the table
        filter_clients(chain_clients, ClientFilter.build(columns=[one("bonus_earned", "gt", 1)]))


def test_filters_are_hashable_and_equal_filters_share_a_key():
    a = ClientFilter.build("r110", columns=[one("revenue", "gt", 500), one("card", "contains", "1")])
    b = ClientFilter.build("r110", columns=[one("card", "contains", "1"), one("revenue", "gt", 500)])
    assert a == b and hash(a) == hash(b) and a.key() == b.key()
    assert a.key() != ClientFilter.build("r110", columns=[one("revenue", "gt", 600)]).key()


def test_sorting_follows_the_pairs_with_ties_by_card(chain_clients):
    ordered = sort_clients(chain_clients, (("r", True), ("revenue", False)))
    expected = chain_clients.sort_values(["r", "revenue", "card"], ascending=[False, True, True])
    assert list(ordered["card"]) == list(expected["card"])
    assert list(sort_clients(chain_clients)["card"]) == sorted(chain_clients["card"])


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=20), st.integers(0, 25))
def test_a_sample_is_all_rows_or_a_sorted_reproducible_subset(cards, limit):
    frame = pd.DataFrame({"card": cards})
    sample = sample_clients(frame, limit=limit)
    assert len(sample) == min(len(frame), limit)
    assert list(sample.index) == sorted(sample.index)
    pd.testing.assert_frame_equal(sample, sample_clients(frame, limit=limit))


def test_large_selections_are_sampled_reproducibly():
    frame = pd.DataFrame({"card": [str(i) for i in range(120)]})
    a, b = sample_clients(frame, limit=50), sample_clients(frame, limit=50)
    assert len(a) == 50 and list(a["card"]) == list(b["card"])
    assert sample_clients(frame, limit=500) is frame


def test_who_bought_where_is_read_in_sql(db_engine):
    load_cheques(db_engine, cheques_frame(HAND_ROWS))
    pairs = load_shop_clients(db_engine)
    assert [tuple(p) for p in pairs[["shop", "card"]].to_numpy()] == [
        ("Аптека 1", "100"),
        ("Аптека 1", "200"),
        ("Аптека 2", "100"),
        ("Аптека 4", "300"),
    ]  # unidentified cards ("12a4", " 300", NULL) are not clients; a multi-row cheque counts once
    early = load_shop_clients(db_engine, Period.parse("2022-01-01", "2022-01-15"))
    assert [tuple(p) for p in early.to_numpy()] == [("Аптека 1", "100"), ("Аптека 2", "100"), ("Аптека 4", "300")]


def test_the_pharmacy_filter_keeps_clients_who_bought_there(tmp_path):
    from core.db import make_engine
    from core.loading import append_cheques

    frame = chain_cheques(clients=80, anonymous=10)
    engine = make_engine(f"duckdb:///{tmp_path / 'shops.duckdb'}")
    with engine.begin() as conn:
        append_cheques(conn, frame)
    clients = classify(engine).clients
    pairs = load_shop_clients(engine)
    engine.dispose()
    out = filter_clients(clients, ClientFilter.build(shops=["Аптека 2"]), pairs)
    expected = set(
        frame.loc[(frame["shop"] == "Аптека 2") & frame["card"].notna() & frame["card"].str.isdigit(), "card"]
    )
    assert set(out["card"]) == expected and len(expected) > 0
