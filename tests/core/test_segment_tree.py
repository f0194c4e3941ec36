"""The segment tree: node ids, names and breadcrumbs, counts at every level, and one-level breakdowns."""

from __future__ import annotations

import pandas as pd
import pytest

from core.client_filter import ClientFilter, filter_clients
from core.model import RfmaError
from core.segment_tree import ALL, Segment, breakdown, segment_tree


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


def test_breakdown_goes_one_level_down(chain_clients):
    by_region = breakdown(chain_clients, Segment())
    assert by_region["level"].unique().tolist() == ["region"] and by_region["clients"].sum() == 600
    vip = filter_clients(chain_clients, ClientFilter.build("r110"))
    assert set(breakdown(vip, Segment.parse("r110"))["code"]) <= {"11", "21"}


def test_an_empty_selection_breaks_down_into_nothing():
    empty = pd.DataFrame({"card": [], "region": [], "revenue": []})
    assert breakdown(empty, Segment()).empty
