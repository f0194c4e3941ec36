"""«Финал» charts: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import final as charts


def test_region_chart_colours_regions_by_warmth():
    regions = pd.DataFrame(
        {
            "region": [110, 510],
            "region_name": ["VIP", "случайный гость"],
            "warmth": [1, 5],
            "clients": [3, 7],
            "share": [0.3, 0.7],
        }
    )
    fig = charts.region_chart(regions)
    assert [t.name for t in fig.data] == ["1 горячие", "5 холодные"]
    assert fig.data[0].marker.color == charts.WARMTH_COLORS[1]


def test_client_cheques_plots_each_cheque():
    cheques = pd.DataFrame(
        {"datetime": pd.to_datetime(["2022-01-01", "2022-02-01"]), "shop": ["A", "B"], "amount": [10.0, 20.0]}
    )
    fig = charts.client_cheques(cheques, "42")
    assert list(fig.data[0].y) == [10.0, 20.0]
    assert "42" in fig.layout.title.text


def test_the_scatter_samples_above_50_000_points_and_says_so():
    from core.client_filter import sample_clients

    n = 60_000
    points = pd.DataFrame(
        {
            "card": [str(i) for i in range(n)],
            "recency_days": [i % 300 for i in range(n)],
            "frequency": [0.5] * n,
            "avg_cheque": [float(i % 900 + 10) for i in range(n)],
            "region": [110, 510] * (n // 2),
            "class": ["1111"] * n,
        }
    )
    fig = charts.rfm_scatter(sample_clients(points), n)
    assert sum(len(t.x) for t in fig.data) == 50_000
    assert "случайная выборка 50\u00a0000 из 60\u00a0000" in fig.layout.title.text
    assert "50\u00a0000" not in charts.rfm_scatter(points.iloc[:100], 100).layout.title.text


def test_the_sunburst_has_every_non_empty_node_and_zooms_to_a_node():
    from core.segment_tree import ALL, segment_tree

    clients = pd.DataFrame({"card": ["1", "2", "3"], "class": ["1111", "1112", "4331"], "revenue": [1.0, 2.0, 3.0]})
    tree = segment_tree(clients)
    trace = charts.segment_sunburst(tree, "r110").data[0]
    assert set(trace.ids) == set(tree.loc[tree["clients"] > 0, "id"]) | {ALL}
    assert trace.level == "r110" and trace.branchvalues == "total"
    assert charts.segment_sunburst(tree, "r999").data[0].level == ""  # an unknown centre: the root


def test_breakdown_and_empty_figures():
    from core.segment_tree import segment_tree

    assert "нет клиентов" in charts.rfm_scatter(pd.DataFrame(), 0).layout.annotations[0].text
    tree = segment_tree(pd.DataFrame(columns=["card", "class", "revenue"]))
    assert len(charts.segment_sunburst(tree).data[0].ids) == 1
    assert "нет клиентов" in charts.selection_breakdown(pd.DataFrame(), "x").layout.annotations[0].text


def test_hovers_and_titles_count_clients_with_the_russian_plural():
    regions = pd.DataFrame(
        {
            "region": [110, 510],
            "region_name": ["VIP", "гость"],
            "warmth": [1, 5],
            "clients": [1, 22],
            "share": [0.0, 1.0],
        }
    )
    fig = charts.region_chart(regions)
    assert [list(t.customdata[0]) for t in fig.data] == [["1 клиент"], ["22 клиента"]]
    assert all("%{customdata[0]}" in t.hovertemplate and "%{x} клиентов" not in t.hovertemplate for t in fig.data)
    parts = pd.DataFrame({"label": ["110 VIP", "210 середняк"], "clients": [21, 5], "revenue": [1.0, 2.0]})
    breakdown = charts.selection_breakdown(parts, "x").data[0]
    assert [row[1] for row in breakdown.customdata] == ["5 клиентов", "21 клиент"]  # drawn bottom-up
    points = pd.DataFrame(
        {
            "card": ["1"],
            "recency_days": [3],
            "frequency": [0.5],
            "avg_cheque": [100.0],
            "region": [110],
            "class": ["1111"],
        }
    )
    assert "(1 клиент)" in charts.rfm_scatter(points, 1).layout.title.text
