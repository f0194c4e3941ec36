"""core.history (SPEC §8): month ends of a monthly series, sizes over snapshots, flows between two snapshots in
«Миграция»'s shapes, entered / left lists (hand-computed), one client's path."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core import history
from core.migration import Flow, flow_table
from core.model import RfmaError


def snap(rows: list[tuple[str, str, int, int]]) -> pd.DataFrame:
    """A snapshot's clients from (card, class, cluster, region) tuples."""
    return pd.DataFrame(rows, columns=history.SNAPSHOT_COLUMNS)


# A: four clients. B: '1' stays in 110, '2' cools 110 → 410, '3' warms 510 → 210, '4' is gone, '5' is new in 210.
BEFORE = snap([("1", "1111", 11, 110), ("2", "1112", 11, 110), ("3", "4333", 43, 510), ("4", "2123", 22, 210)])
AFTER = snap([("1", "1111", 11, 110), ("2", "4111", 41, 410), ("3", "1213", 12, 210), ("5", "1223", 12, 210)])


def test_month_ends_are_the_last_days_inside_the_range():
    ends = history.month_ends(dt.date(2021, 7, 1), dt.date(2022, 6, 6))
    assert ends[0] == dt.date(2021, 7, 31) and ends[-1] == dt.date(2022, 5, 31) and len(ends) == 11
    assert dt.date(2022, 2, 28) in ends  # not a leap year
    assert history.month_ends(dt.date(2024, 2, 29), dt.date(2024, 2, 29)) == [dt.date(2024, 2, 29)]
    assert history.month_ends(dt.date(2021, 7, 2), dt.date(2021, 7, 30)) == []
    assert history.month_ends(dt.date(2021, 12, 15), dt.date(2022, 1, 31)) == [
        dt.date(2021, 12, 31),
        dt.date(2022, 1, 31),
    ]
    with pytest.raises(RfmaError, match="позже"):
        history.month_ends(dt.date(2022, 1, 1), dt.date(2021, 1, 1))


def test_entered_and_left_are_the_hand_computed_lists():
    changes = history.entered_left(BEFORE, AFTER, "region")
    rows = {tuple(r) for r in changes.itertuples(index=False)}
    assert rows == {
        ("2", "410", "entered", "110", "410"),
        ("2", "110", "left", "110", "410"),
        ("3", "210", "entered", "510", "210"),
        ("5", "210", "entered", history.NEW_SOURCE, "210"),
        ("3", "510", "left", "510", "210"),
        ("4", "210", "left", "210", history.GONE),
    }
    # warmth order of segments, entered before left, then by card
    assert changes["segment"].tolist() == ["110", "210", "210", "210", "410", "510"]
    assert changes["change"].tolist() == ["left", "entered", "entered", "left", "entered", "left"]
    assert changes["card"].tolist()[1:3] == ["3", "5"]
    counts = history.change_counts(changes, "region").set_index("segment")
    assert counts.loc["210", "entered"] == 2 and counts.loc["210", "left"] == 1 and counts.loc["110", "entered"] == 0


def test_entered_and_left_at_the_class_level_and_with_no_change():
    changes = history.entered_left(BEFORE, AFTER, "class")
    assert set(changes.loc[changes["change"] == "entered", "card"]) == {"2", "3", "5"}  # '1' kept class 1111
    assert history.entered_left(BEFORE, BEFORE, "cluster").empty
    assert list(history.entered_left(BEFORE, BEFORE).columns) == history.CHANGE_COLUMNS


def test_flows_and_matrix_have_migration_s_shape_and_feed_its_flow_table():
    flows = history.snapshot_flows(BEFORE, AFTER)
    assert flows["card"].tolist() == ["1", "2", "3", "5"]
    assert flows["source_region"].tolist() == ["110", "110", "510", history.NEW_SOURCE]
    matrix = history.flow_matrix(flows, "region")
    assert list(matrix.columns) == ["source_region", "destination_region", "clients"]
    assert matrix["clients"].sum() == 4
    table = flow_table(matrix, "region")
    assert table.loc["110", "410"] == 1 and table.loc["110", "stayed_share"] == 0.5
    positions = history.flow_positions(flows, Flow("region", "110", "410"))
    assert flows["card"].take(positions).tolist() == ["2"]
    assert history.gone_count(BEFORE, AFTER) == 1


def test_the_class_sankey_keeps_the_largest_flows_and_one_other():
    flows = pd.DataFrame(
        {
            "card": [str(i) for i in range(20)],
            **{f"source_{lv}": ["110"] * 20 for lv in ("region", "cluster")},
            **{f"destination_{lv}": ["110"] * 20 for lv in ("region", "cluster")},
            "source_class": [f"11{i % 10}1" for i in range(20)],
            "destination_class": ["1111"] * 20,
        }
    )
    matrix = history.flow_matrix(flows, "class")
    drawn = history.sankey_flows(matrix, "class", top=3)
    assert len(drawn) == 4 and drawn["clients"].sum() == 20 and drawn["source_class"].iloc[-1] == "прочие"
    rest = history.flow_positions(flows, Flow("class", "прочие", "прочие"), top=3)
    assert len(rest) == 20 - drawn["clients"].iloc[:3].sum()


def test_sizes_over_snapshots_pivot_in_history_order_and_warmth_order():
    sizes = pd.concat(
        [
            history.segment_sizes(BEFORE).assign(snapshot_id=7, as_of=dt.date(2022, 1, 31)),
            history.segment_sizes(AFTER).assign(snapshot_id=3, as_of=dt.date(2022, 2, 28)),
        ]
    )
    table = history.sizes_over_snapshots(sizes, "region")
    assert table.index.tolist() == [7, 3]
    assert [c for c in table.columns if c != "as_of"] == ["110", "210", "410", "510"]
    assert table.loc[7].tolist()[1:] == [2, 1, 0, 1] and table.loc[3].tolist()[1:] == [1, 2, 1, 0]
    assert history.segment_sizes(BEFORE).groupby("level")["clients"].sum().tolist() == [4, 4, 4]
    with pytest.raises(RfmaError):
        history.sizes_over_snapshots(sizes, "warmth")


def test_a_client_s_path_is_in_analysis_date_order():
    rows = pd.DataFrame(
        [(5, dt.date(2022, 3, 31), "1111", 11, 110), (2, dt.date(2022, 1, 31), "4333", 43, 510)],
        columns=history.PATH_COLUMNS,
    )
    path = history.client_path(rows)
    assert path["snapshot_id"].tolist() == [2, 5] and path["region"].tolist() == [510, 110]
    assert history.client_path(rows.iloc[:0]).empty


def test_segment_sizes_count_a_classification_s_categorical_classes_without_its_unused_labels():
    clients = pd.DataFrame(
        {
            "card": ["1", "2", "3"],
            "class": pd.Categorical(["1111", "4333", "1111"], categories=["1111", "2222", "4333"]),
            "cluster": [11, 43, 11],
            "region": [110, 510, 110],
        }
    )
    sizes = history.segment_sizes(clients)
    assert sizes[sizes["level"] == "class"].set_index("code")["clients"].to_dict() == {"1111": 2, "4333": 1}
    assert sizes[sizes["level"] == "region"].set_index("code")["clients"].to_dict() == {"110": 2, "510": 1}
