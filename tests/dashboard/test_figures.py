"""Figure builders: plain data in, a plotly Figure with the expected traces out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import figures


def months(*values):
    return pd.to_datetime(list(values)).astype("datetime64[s]")


def test_clients_by_shop_count_labels_each_bar_with_count_and_share():
    fig = figures.clients_by_shop_count(pd.DataFrame({"shops": [1, 2], "clients": [90, 10]}))
    assert list(fig.data[0].y) == [90, 10]
    assert fig.data[0].text[0] == "90 (90,0%)"
    assert fig.layout.separators == ", "


def test_cheques_monthly_stacks_identified_and_unidentified():
    monthly = pd.DataFrame(
        {
            "month": months("2022-01-01", "2022-01-01", "2022-02-01"),
            "identified": [True, False, True],
            "cheques": [5, 3, 7],
            "revenue": [1.0, 2.0, 3.0],
        }
    )
    fig = figures.cheques_monthly(monthly)
    assert [t.name for t in fig.data] == ["идентифицированные", "неидентифицированные"]
    assert list(fig.data[0].y) == [5, 7] and list(fig.data[1].y) == [3]
    assert fig.layout.barmode == "stack"


def test_unidentified_share_bars_are_sorted_and_the_chain_average_is_a_line():
    table = pd.DataFrame({"shop": ["Аптека 1", "Аптека 2", "Аптека 10"], "share": [0.2, 0.5, 0.3]})
    fig = figures.unidentified_share_by_shop(table, "share", 0.33, "Доля")
    assert list(fig.data[0].x) == ["Аптека 2", "Аптека 10", "Аптека 1"]
    assert fig.layout.shapes[0].y0 == 0.33
    assert "33,0%" in fig.layout.annotations[0].text


def test_shop_monthly_revenue_has_one_line_per_pharmacy_and_a_closed_one_stops():
    frame = pd.DataFrame(
        {
            "shop": ["A", "A", "B"],
            "month": months("2021-11-01", "2021-12-01", "2021-11-01"),
            "revenue": [1.0, 2.0, 3.0],
            "cheques": [1, 1, 1],
        }
    )
    fig = figures.shop_monthly_revenue(frame, ["A", "B"])
    assert [t.name for t in fig.data] == ["A", "B"]
    assert len(fig.data[1].x) == 1


def test_gap_distribution_marks_the_churn_period():
    fig = figures.gap_distribution(pd.DataFrame({"gap_days": [1, 5, 30], "gaps": [3, 2, 1]}), 30, 30)
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 30
    assert "период оттока C = 30" in fig.layout.annotations[0].text


def test_frequency_distribution_marks_f1_and_f2():
    bins = pd.DataFrame({"left": [0.0, 0.5], "right": [0.5, 1.0], "clients": [4, 2]})
    fig = figures.frequency_distribution(bins, 0.96, 0.2)
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [0.2, 0.96]


def test_monetary_deciles_compare_identified_and_unidentified():
    deciles = pd.DataFrame({"decile": range(1, 10), "identified": range(100, 109), "unidentified": range(50, 59)})
    fig = figures.monetary_deciles(deciles, 1293, 504)
    assert [t.name for t in fig.data] == ["идентифицированные", "неидентифицированные"]
    assert len(fig.data[0].x) == 9
    assert {shape.y0 for shape in fig.layout.shapes} == {1293, 504}


def test_grade_capacity_shows_count_and_percent():
    capacity = pd.DataFrame({"grade": [1, 2], "name": ["частый", "редкий"], "clients": [1, 3], "share": [0.25, 0.75]})
    fig = figures.grade_capacity(capacity, "Frequency")
    assert list(fig.data[0].x) == ["1 частый", "2 редкий"]
    assert list(fig.data[0].text) == ["1 (25,0%)", "3 (75,0%)"]


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
    fig = figures.region_chart(regions)
    assert [t.name for t in fig.data] == ["1 горячие", "5 холодные"]
    assert fig.data[0].marker.color == figures.WARMTH_COLORS[1]


def test_migration_sankey_links_sources_including_new_to_destinations():
    matrix = pd.DataFrame(
        {
            "source_region": ["110", "новый"],
            "destination_region": ["210", "110"],
            "clients": [2, 5],
            "revenue_after": [1.0, 2.0],
        }
    )
    fig = figures.migration_sankey(matrix, "region")
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
    fig = figures.migration_heatmap(matrix, "cluster")
    heat = fig.data[0]
    assert list(heat.y) == ["11 VIP", "новый"]
    assert heat.text[1][0] == "1 500"
    revenue = figures.migration_heatmap(matrix, "cluster", "revenue_after")
    assert revenue.data[0].z[0][1] == 10.0


def test_client_cheques_plots_each_cheque():
    cheques = pd.DataFrame(
        {"datetime": pd.to_datetime(["2022-01-01", "2022-02-01"]), "shop": ["A", "B"], "amount": [10.0, 20.0]}
    )
    fig = figures.client_cheques(cheques, "42")
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
    fig = figures.rfm_scatter(sample_clients(points), n)
    assert sum(len(t.x) for t in fig.data) == 50_000
    assert "случайная выборка 50\u00a0000 из 60\u00a0000" in fig.layout.title.text
    assert "50\u00a0000" not in figures.rfm_scatter(points.iloc[:100], 100).layout.title.text


def test_the_sunburst_has_every_non_empty_node_and_zooms_to_a_node():
    from core.segment_tree import ALL, segment_tree

    clients = pd.DataFrame({"card": ["1", "2", "3"], "class": ["1111", "1112", "4331"], "revenue": [1.0, 2.0, 3.0]})
    tree = segment_tree(clients)
    trace = figures.segment_sunburst(tree, "r110").data[0]
    assert set(trace.ids) == set(tree.loc[tree["clients"] > 0, "id"]) | {ALL}
    assert trace.level == "r110" and trace.branchvalues == "total"
    assert figures.segment_sunburst(tree, "r999").data[0].level == ""  # an unknown centre: the root


def test_breakdown_and_empty_figures():
    from core.segment_tree import segment_tree

    assert "нет клиентов" in figures.rfm_scatter(pd.DataFrame(), 0).layout.annotations[0].text
    tree = segment_tree(pd.DataFrame(columns=["card", "class", "revenue"]))
    assert len(figures.segment_sunburst(tree).data[0].ids) == 1
    assert "нет клиентов" in figures.selection_breakdown(pd.DataFrame(), "x").layout.annotations[0].text
