"""Migration across a bonus date (SPEC §5): one threshold set, sources incl. 'новый', warmth shares."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.client_base import load_client_base
from core.db import create_tables, make_engine
from core.migration import FLOW_COLUMNS, STAYED, TOTAL, Flow, flow_table, migrate, migrate_bases, top_flows
from core.model import Period, RfmaError, ThresholdPins
from tests.conftest import cheques_frame, load_cheques

PINS = ThresholdPins(r1=10, r2=20, r3=40, f1=1.0, f2=0.25, m1=1000, m2=500)
ROWS = [
    # card 1: active before and after the bonus date → stays recent
    ("2022-01-01 10:00", "1", 2000.0),
    ("2022-01-25 10:00", "1", 2000.0),
    ("2022-02-25 10:00", "1", 2000.0),
    # card 2: bought only before → cools down by the end
    ("2022-01-28 10:00", "2", 300.0),
    # card 3: first seen after the bonus date → новый
    ("2022-02-20 10:00", "3", 600.0),
    ("2022-02-28 10:00", None, 50.0),
]


@pytest.fixture
def engine(db_engine):
    load_cheques(db_engine, cheques_frame(ROWS))
    return db_engine


def test_migration_by_hand(engine):
    result = migrate(engine, dt.date(2022, 1, 31), pins=PINS)
    flows = result.flows.set_index("card")
    # snapshot 1: T1 = 01-28. card 2: D = 0, A = 0 → 1 3 3 3 → cluster 14 → region 220
    assert flows.loc["2", "source_region"] == "220"
    # snapshot 2: T = 02-28. card 2: D = 31 → R = 3; A = 31 > B → end = min(01-28 + 40, T) = T,
    # F = 1 / (31/10) = 0.322581 → F = 2; M = 300 → 3: middle profile → cluster 32 → region 320
    assert flows.loc["2", "destination_region"] == "320"
    assert flows.loc["2", "destination_class"] == "3232"
    assert flows.loc["3", "source_region"] == "новый"
    assert flows.loc["1", "revenue_after"] == 2000.0 and flows.loc["2", "revenue_after"] == 0.0
    matrix = result.matrix("region")
    assert list(matrix.columns) == ["source_region", "destination_region", "clients", "revenue_after"]
    assert matrix["clients"].sum() == 3 and matrix["source_region"].iloc[-1] == "новый"
    shares = result.shares()
    assert shares["new"] == 1 and shares["returning"] == 2
    assert shares["cooled"] == 1  # card 2: warmth 2 → 3
    assert shares["cooled_share"] == 0.5


def test_both_snapshots_use_the_snapshot_one_thresholds_by_default(engine):
    result = migrate(engine, dt.date(2022, 1, 31))
    assert result.before.thresholds == result.after.thresholds == result.suggestion.thresholds
    assert result.before.base.analysis_date == dt.date(2022, 1, 28)
    assert result.after.base.analysis_date == dt.date(2022, 2, 28)


def test_cluster_and_class_levels_and_a_bonus_date_outside_the_period(engine):
    result = migrate(engine, dt.date(2022, 1, 31), pins=PINS)
    assert set(result.matrix("class").columns) == {"source_class", "destination_class", "clients", "revenue_after"}
    assert result.matrix("cluster")["clients"].sum() == 3
    with pytest.raises(RfmaError, match="вне периода"):
        migrate(engine, dt.date(2023, 1, 1), Period(dt.date(2022, 1, 1), dt.date(2022, 3, 1)))


UNIDENTIFIED_BEFORE = [
    # before the bonus date only an unidentified cheque: the first snapshot has cheques but no client
    ("2022-01-05 10:00", None, 100.0),
    ("2022-02-10 10:00", "1", 700.0),
    ("2022-02-20 10:00", "1", 900.0),
    ("2022-02-21 10:00", "2", 400.0),
]


@pytest.fixture
def duckdb_file_engine(tmp_path):
    engine = make_engine(f"duckdb:///{tmp_path / 'cheques.duckdb'}")
    with engine.begin() as conn:
        create_tables(conn)
    load_cheques(engine, cheques_frame(UNIDENTIFIED_BEFORE))
    yield engine
    engine.dispose()


def test_migrate_with_cheques_but_no_client_before_the_bonus_date_counts_everyone_as_new(duckdb_file_engine):
    result = migrate(duckdb_file_engine, dt.date(2022, 1, 31), pins=PINS)
    assert result.before.clients.empty and list(result.before.clients.columns) == list(result.after.clients.columns)
    assert sorted(result.flows["card"]) == ["1", "2"]
    assert set(result.flows["source_region"]) == {"новый"}
    assert result.shares()["new"] == 2


def test_migrate_bases_with_an_empty_first_snapshot_keeps_the_base_columns(duckdb_file_engine):
    before = load_client_base(duckdb_file_engine, Period(None, dt.date(2022, 1, 31)), with_shops=True)
    after = load_client_base(duckdb_file_engine, Period(), with_shops=True)
    assert before.cheques == 1 and before.is_empty
    result = migrate_bases(before, after, dt.date(2022, 1, 31), PINS)
    assert "shops" in result.before.clients.columns and "shops" in result.after.clients.columns
    assert result.before.clients.empty and len(result.after.clients) == 2
    assert result.matrix("region")["clients"].sum() == 2


def region_matrix(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source_region", "destination_region", "clients", "revenue_after"])


def test_the_flow_table_has_warmth_order_row_totals_and_the_share_that_stayed():
    matrix = region_matrix(
        [
            ("210", "110", 2, 10.0),
            ("новый", "110", 5, 50.0),
            ("110", "410", 1, 0.0),
            ("110", "110", 3, 30.0),
            ("210", "210", 2, 20.0),
        ]
    )
    table = flow_table(matrix, "region")
    assert list(table.index) == ["110", "210", "новый"] and list(table.columns) == ["110", "210", "410", TOTAL, STAYED]
    assert table.loc["110"].tolist()[:4] == [3, 0, 1, 4] and table.at["110", STAYED] == 0.75  # 3 of 4 stayed in 110
    assert table.at["210", TOTAL] == 4 and table.at["210", STAYED] == 0.5  # 2 of 4
    assert table.at["новый", TOTAL] == 5 and np.isnan(table.at["новый", STAYED])
    revenue = flow_table(matrix, "region", "revenue_after")
    assert revenue.at["110", TOTAL] == 30.0 and revenue.at["110", STAYED] == 0.75  # the share counts clients


def test_top_flows_keeps_the_largest_and_merges_the_rest_into_other():
    matrix = region_matrix(
        [("110", "110", 3, 1.0), ("210", "410", 7, 2.0), ("новый", "110", 1, 4.0), ("210", "210", 3, 8.0)]
    )
    top = top_flows(matrix, "region", 2)
    # 7 first; 110→110 and 210→210 tie at 3: warmth order keeps 110→110; the rest (3 + 1 clients) is «прочие»
    assert top.values.tolist() == [
        ["210", "410", 7, 2.0],
        ["110", "110", 3, 1.0],
        ["прочие", "прочие", 4, 12.0],
    ]
    assert top_flows(matrix, "region", 4).equals(matrix)


def test_a_flow_has_a_key_a_label_a_file_name_and_its_clients(engine):
    flow = Flow.parse("region|220|320")
    assert flow == Flow("region", "220", "320") and flow.key == "region|220|320"
    assert flow.label == "220 добро пожаловать → 320 давний середняк"
    assert Flow("class", "новый", "1121").file_part() == "migration_new_to_1121"
    with pytest.raises(RfmaError, match="Выберите поток"):
        Flow.parse("region|110")
    with pytest.raises(RfmaError, match="уровень"):
        Flow.parse("segment|110|110")
    with pytest.raises(RfmaError, match="прочие"):
        Flow("class", "прочие", "1121")
    result = migrate(engine, dt.date(2022, 1, 31), pins=PINS)
    table = result.client_table()
    assert list(table.columns) == [c for c in FLOW_COLUMNS if c != "shops"]  # core's base has no shops
    # card 2: 220 before, 320 after (test_migration_by_hand); card 3 is new
    assert table["card"].take(result.flow_positions(flow)).tolist() == ["2"]
    assert table["card"].take(result.flow_positions(Flow("region", "новый", "110"))).tolist() == []
    new = Flow("region", "новый", result.flows.set_index("card").at["3", "destination_region"])
    assert table["card"].take(result.flow_positions(new)).tolist() == ["3"]
    assert table.set_index("card").at["1", "revenue_after"] == 2000.0
    # top 1 flow kept (each holds one client: the warmest source first), the two others are «прочие»
    other = result.flow_positions(Flow("region", "прочие", "прочие"), top=1)
    assert len(other) == 2 and set(table["card"].take(other)) | set(
        table["card"].take(
            result.flow_positions(Flow("region", *top_flows(result.matrix("region"), "region", 1).iloc[0, :2]))
        )
    ) == {"1", "2", "3"}
