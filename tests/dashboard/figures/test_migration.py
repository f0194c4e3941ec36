"""«Миграция» charts: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import migration as charts


def test_migration_sankey_links_sources_including_new_to_destinations():
    matrix = pd.DataFrame(
        {
            "source_region": ["110", "новый"],
            "destination_region": ["210", "110"],
            "clients": [2, 5],
            "revenue_after": [1.0, 2.0],
        }
    )
    fig = charts.migration_sankey(matrix, "region")
    sankey = fig.data[0]
    assert isinstance(sankey, go.Sankey)
    assert list(sankey.node.label) == ["110 VIP (до)", "новый (до)", "110 VIP (после)", "210 середняк (после)"]
    assert list(sankey.link.value) == [2.0, 5.0]


def test_migration_heatmap_writes_counts_in_cells_and_switches_to_revenue():
    matrix = pd.DataFrame(
        {
            "source_cluster": ["11", "новый"],
            "destination_cluster": ["21", "11"],
            "clients": [2, 1500],
            "revenue_after": [10.0, 0.0],
        }
    )
    fig = charts.migration_heatmap(matrix, "cluster")
    heat = fig.data[0]
    assert list(heat.y) == ["11 VIP", "новый"]
    assert heat.text[1][0] == "1\u00a0500"
    revenue = charts.migration_heatmap(matrix, "cluster", "revenue_after")
    assert revenue.data[0].z[0][1] == 10.0
