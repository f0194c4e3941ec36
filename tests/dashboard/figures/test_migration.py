"""«Миграция» charts: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.segments import WARMTH_COLORS
from dashboard.figures import migration as charts


def test_migration_sankey_orders_and_colours_nodes_by_warmth_on_both_sides_and_keys_each_link():
    matrix = pd.DataFrame(
        {
            "source_region": ["510", "новый", "110", "410"],
            "destination_region": ["210", "110", "410", "510"],
            "clients": [2, 5, 3, 1],
            "revenue_after": [1.0, 2.0, 3.0, 4.0],
        }
    )
    sankey = charts.migration_sankey(matrix, "region").data[0]
    assert isinstance(sankey, go.Sankey) and sankey.node.sort == "input"
    assert list(sankey.node.label) == [
        "110 VIP",  # sources: warmth 1, 4, 5, then «новый»
        "410 ушедший VIP",
        "510 случайный гость",
        "новый",
        "110 VIP",  # destinations: warmth 1, 2, 4, 5
        "210 середняк",
        "410 ушедший VIP",
        "510 случайный гость",
    ]
    colors = list(sankey.node.color)
    assert colors[0] == colors[4] == WARMTH_COLORS[1] and colors[1] == colors[6] == WARMTH_COLORS[4]
    assert colors[2] == colors[7] == WARMTH_COLORS[5] and colors[5] == WARMTH_COLORS[2]
    # links in the matrix's order: 510→210 is node 2 → node 5, «новый»→110 is 3 → 4
    assert list(sankey.link.source) == [2, 3, 0, 1] and list(sankey.link.target) == [5, 4, 6, 7]
    assert list(sankey.link.customdata) == ["region|510|210", "region|новый|110", "region|110|410", "region|410|510"]
    assert list(sankey.link.value) == [2.0, 5.0, 3.0, 1.0]


def test_a_cluster_sankey_is_tall_enough_for_a_label_per_node():
    clusters = [str(c) for c in (11, 12, 13, 14, 15, 21, 22, 23, 24, 25, 31, 32, 33, 41, 42, 43)]
    matrix = pd.DataFrame(
        {
            "source_cluster": clusters,
            "destination_cluster": clusters,
            "clients": [1] * 15 + [500],
            "revenue_after": [0.0] * 16,
        }
    )
    fig = charts.migration_sankey(matrix, "cluster")
    plot_height = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    # 16 nodes a side: every node gets at least a label's height (pad) however small its flow
    assert plot_height >= 16 * charts.NODE_PAD + 15 * charts.NODE_PAD and charts.NODE_PAD >= 12


def test_the_sankey_hovers_name_the_amount_without_a_noun_after_the_number():
    matrix = pd.DataFrame(
        {"source_region": ["110"], "destination_region": ["410"], "clients": [1], "revenue_after": [10.0]}
    )
    sankey = charts.migration_sankey(matrix, "region").data[0]
    assert "клиентов: %{value:,.0f}" in sankey.link.hovertemplate  # «клиентов: 1», never «1 клиентов»
    assert "клиентов: %{value:,.0f}" in sankey.node.hovertemplate
    revenue = charts.migration_sankey(matrix, "region", "revenue_after").data[0]
    assert "выручка: %{value:,.0f} ₽" in revenue.link.hovertemplate
