"""Class counts and per-region / per-cluster summaries of graded clients."""

from __future__ import annotations

import pandas as pd
import pytest

from core.classify import classify
from core.summaries import class_counts, segment_summary


def test_class_counts_and_summaries(hand_engine):
    result = classify(hand_engine)
    counts = class_counts(result.clients)
    assert len(counts) == 108 and counts["clients"].sum() == 3
    regions = segment_summary(result.clients, "region")
    assert len(regions) == 9 and regions["clients"].sum() == 3
    assert regions["share"].sum() == pytest.approx(1.0)
    assert regions["revenue"].sum() == pytest.approx(2600.0)


def hand_graded() -> pd.DataFrame:
    """Three clients: two in region 110 (cluster 11), one in region 510 (cluster 43)."""
    return pd.DataFrame(
        {
            "card": ["1", "2", "3"],
            "class": ["1111", "1121", "4333"],
            "cluster": [11, 11, 43],
            "region": [110, 110, 510],
            "revenue": [600.0, 300.0, 100.0],
            "purchases": [3, 1, 1],
            "recency_days": [1, 3, 200],
            "frequency": [1.0, 0.5, 0.1],
            "avg_cheque": [200.0, 300.0, 100.0],
            "age_days": [400, 200, 300],
            "bonus_spent": [60.0, 0.0, 0.0],
        }
    )


def test_a_region_summary_by_hand():
    regions = segment_summary(hand_graded(), "region").set_index("region")
    assert len(regions) == 9 and regions["clients"].sum() == 3
    vip = regions.loc[110]
    assert (vip["region_name"], vip["warmth"], vip["clients"]) == ("VIP", 1, 2)
    assert vip["share"] == pytest.approx(2 / 3) and vip["revenue_share"] == pytest.approx(0.9)
    assert vip["avg_cheque"] == pytest.approx(900 / 4)  # revenue over purchases, not the mean of averages
    assert vip["mean_avg_cheque"] == pytest.approx(250.0) and vip["mean_recency_days"] == pytest.approx(2.0)
    assert vip["bonus_spent_share"] == pytest.approx(60 / 900)
    empty = regions.loc[220]
    assert empty["clients"] == 0 and empty["revenue"] == 0.0 and pd.isna(empty["bonus_spent_share"])


def test_a_cluster_summary_and_the_class_counts_by_hand():
    clusters = segment_summary(hand_graded(), "cluster").set_index("cluster")
    assert len(clusters) == 16 and clusters.loc[43, "clients"] == 1 and clusters.loc[43, "warmth"] == 5
    counts = class_counts(hand_graded()).set_index("class")["clients"]
    assert len(counts) == 108 and counts["1111"] == counts["1121"] == counts["4333"] == 1 and counts.sum() == 3
    with pytest.raises(ValueError, match="cluster' or 'region"):
        segment_summary(hand_graded(), "class")
