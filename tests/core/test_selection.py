"""Client selections: the segment tree, filters (segment, pharmacy, grades, card, grid filters), sorting, paging,
and the who-bought-where query on DuckDB and PostgreSQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core.classify import classify
from core.export import filter_segment
from core.model import Period, RfmaError
from core.selection import (
    ALL,
    ClientFilter,
    Segment,
    breakdown,
    filter_clients,
    load_shop_clients,
    page_records,
    sample_clients,
    segment_tree,
    sort_clients,
    sort_model_of,
)
from tests.conftest import cheques_frame, load_cheques
from tests.core.test_engine_db import HAND_ROWS
from tests.support.chain import chain_cheques


@pytest.fixture(scope="module")
def chain_clients(tmp_path_factory) -> pd.DataFrame:
    from core.db import make_engine
    from tests.support.chain import build_chain_database

    url = build_chain_database(tmp_path_factory.mktemp("sel") / "chain.duckdb")
    engine = make_engine(url)
    clients = classify(engine).clients
    engine.dispose()
    return clients


def test_a_node_id_names_its_segment_and_its_path_is_the_breadcrumb():
    segment = Segment.parse("k1121")
    assert segment.label == "1121 недавний-частый-средний_чек-ветеран"
    assert [s.node_id for s in segment.path()] == [ALL, "w1", "r110", "c11", "k1121"]
    assert Segment.parse("r220").file_part() == "220_добро_пожаловать"
    assert Segment.parse(None) == Segment.parse("") == Segment.parse(ALL) == Segment()
    for bad in ("r111", "c99", "k5111", "x1", "w6", "r11"):
        with pytest.raises(RfmaError):
            Segment.parse(bad)


def test_the_tree_counts_every_level_and_matches_the_engine(chain_clients):
    tree = segment_tree(chain_clients).set_index("id")
    assert tree.at[ALL, "clients"] == len(chain_clients) == 600
    assert (tree["level"] == "region").sum() == 9 and (tree["level"] == "cluster").sum() == 16
    assert (tree["level"] == "warmth").sum() == 5
    for region, count in chain_clients["region"].astype("int64").value_counts().items():
        assert tree.at[f"r{region}", "clients"] == count
    classes = chain_clients["class"].astype(str).value_counts()
    for klass, count in classes.items():
        assert tree.at[f"k{klass}", "clients"] == count
    assert (tree["level"] == "class").sum() == len(classes)  # only classes with clients
    # every parent holds the sum of its children
    children = tree[tree["parent"] != ""].groupby("parent")["clients"].sum()
    for parent, total in children.items():
        assert tree.at[parent, "clients"] == total


def test_filtering_by_a_segment_gives_the_same_cards_as_the_cli_filter(chain_clients):
    for node, kwargs in (("r110", {"regions": [110]}), ("c22", {"clusters": [22]}), ("k1121", {"classes": ["1121"]})):
        ours = filter_clients(chain_clients, ClientFilter.build(node))
        theirs = filter_segment(chain_clients, **kwargs)
        assert set(ours["card"]) == set(theirs["card"]) and len(ours) == len(theirs)
    warm = filter_clients(chain_clients, ClientFilter.build("w2"))
    assert set(warm["region"]) <= {210, 220, 230} and len(warm) == chain_clients["region"].isin([210, 220, 230]).sum()


def test_grade_card_and_grid_filters_combine(chain_clients):
    flt = ClientFilter.build(
        ALL,
        grades={"r": [1, 2], "m": [1]},
        card="1000",
        grid_filter={"revenue": {"filterType": "number", "type": "greaterThan", "filter": 500}},
    )
    out = filter_clients(chain_clients, flt)
    expected = chain_clients[
        chain_clients["r"].isin([1, 2])
        & (chain_clients["m"] == 1)
        & chain_clients["card"].str.contains("1000")
        & (chain_clients["revenue"] > 500)
    ]
    assert list(out["card"]) == list(expected["card"]) and len(out) > 0
    assert "R: 1 недавний, 2 спящий" in flt.describe() and "карта содержит: 1000" in flt.describe()
    with pytest.raises(RfmaError):
        ClientFilter.build(ALL, grades={"f": [4]})


def test_grid_text_range_date_and_or_conditions(chain_clients):
    model = {
        "class_name": {"filterType": "text", "type": "startsWith", "filter": "НЕДАВНИЙ"},
        "purchases": {
            "filterType": "number",
            "operator": "OR",
            "conditions": [{"type": "equals", "filter": 1}, {"type": "inRange", "filter": 5, "filterTo": 6}],
        },
        "last_date": {"filterType": "date", "type": "greaterThan", "dateFrom": "2022-06-01 00:00:00", "dateTo": None},
    }
    out = filter_clients(chain_clients, ClientFilter.build(grid_filter=model))
    c = chain_clients
    expected = c[
        c["class_name"].str.startswith("недавний")
        & (c["purchases"].isin([1, 5, 6]))
        & (c["last_date"] > pd.Timestamp("2022-06-01"))
    ]
    assert set(out["card"]) == set(expected["card"]) and len(out) > 0
    with pytest.raises(RfmaError):
        filter_clients(
            c, ClientFilter.build(grid_filter={"nope": {"filterType": "text", "type": "contains", "filter": "x"}})
        )


def test_sorting_follows_the_grid_sort_model_with_ties_by_card(chain_clients):
    ordered = sort_clients(chain_clients, [{"colId": "r", "sort": "desc"}, {"colId": "revenue", "sort": "asc"}])
    expected = chain_clients.sort_values(["r", "revenue", "card"], ascending=[False, True, True])
    assert list(ordered["card"]) == list(expected["card"])
    assert list(sort_clients(chain_clients, None)["card"]) == sorted(chain_clients["card"])
    state = [
        {"colId": "card", "sort": None},
        {"colId": "revenue", "sort": "desc", "sortIndex": 1},
        {"colId": "r", "sort": "asc", "sortIndex": 0},
    ]
    assert sort_model_of(state) == [{"colId": "r", "sort": "asc"}, {"colId": "revenue", "sort": "desc"}]


def test_a_page_is_json_ready(chain_clients):
    rows = page_records(sort_clients(chain_clients, None), 10, 20)
    assert len(rows) == 10 and rows[0]["card"] == sorted(chain_clients["card"])[10]
    json.dumps(rows)
    assert len(rows[0]["first_date"]) == 10 and isinstance(rows[0]["region"], int)
    assert page_records(chain_clients, 590, 650)[-1]["card"] == chain_clients["card"].iloc[-1]


def test_breakdown_goes_one_level_down(chain_clients):
    by_region = breakdown(chain_clients, Segment())
    assert by_region["level"].unique().tolist() == ["region"] and by_region["clients"].sum() == 600
    vip = filter_clients(chain_clients, ClientFilter.build("r110"))
    assert set(breakdown(vip, Segment.parse("r110"))["code"]) <= {"11", "21"}


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
