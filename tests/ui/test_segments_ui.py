"""«Финал»: the segment tree, client table, downloads and the RFM scatter — callbacks called as plain functions
inside a Flask request, and their figures."""

from __future__ import annotations

import io
import json

import pandas as pd
from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks import final
from core.segment_tree import ALL, segment_tree
from dashboard import figures, ids
from tests.support.components import find, text
from tests.ui.conftest import FULL

NO_FILTERS = (None, None, None, None, None, None)


def engine_cards(services, **match) -> set:
    clients = services.classification(services.key(*FULL), {}).clients
    mask = pd.Series(True, index=clients.index)
    for column, value in match.items():
        mask &= clients[column].astype(type(value)) == value
    return set(clients.loc[mask, "card"])


def test_the_tree_lists_every_level_with_counts_and_the_pharmacies(request_ctx):
    tree, shops = final.update_tree(ids.TAB_FINAL, *FULL, {}, "r110")
    assert find(tree, ids.segment_node("r110")).className.endswith("rfma-tree-selected")
    assert "600" in text(find(tree, ids.segment_node(ALL)))
    assert len(shops) == 8 and shops[0]["value"] == "Аптека 1" and shops[-1]["value"] == "Аптека 11"
    assert final.update_tree(ids.TAB_CLIENTS, *FULL, {}, ALL)[0].__class__.__name__ == "NoUpdate"


def test_a_class_selected_opens_its_cluster_in_the_tree(request_ctx, services):
    klass = min(services.classification(services.key(*FULL), {}).clients["class"].astype(str))
    tree, _ = final.update_tree(ids.TAB_FINAL, *FULL, {}, f"k{klass}")
    details = [c for c in _components(tree) if type(c).__name__ == "Details" and getattr(c, "open", False)]
    assert len(details) == 1 and find(details[0], ids.segment_node(f"k{klass}")) is not None


def _components(node):
    from tests.support.components import walk

    return list(walk(node))


def _select(trigger: str | dict, value, *args):
    prop = "n_clicks" if isinstance(trigger, dict) or trigger == ids.FINAL.SEGMENT_RESET else "clickData"
    name = trigger if isinstance(trigger, str) else json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    key = f"{name}.{prop}"
    ctx = AttributeDict(triggered_inputs=[{"prop_id": key, "value": value}])
    token = context_value.set(ctx)
    try:
        return final.select_segment(*args)
    finally:
        context_value.reset(token)


def test_selecting_by_the_list_the_sunburst_and_reset():
    assert _select(ids.segment_node("c11"), 1, [1], None, None, ALL) == "c11"
    assert type(_select(ids.segment_node("c11"), 0, [0], None, None, ALL)).__name__ == "NoUpdate"  # re-rendered tree
    click = {"points": [{"id": "r210"}]}
    assert _select(ids.FINAL.SUNBURST, click, [], click, None, ALL) == "r210"
    centre = {"points": [{"id": "r210"}]}
    assert _select(ids.FINAL.SUNBURST, centre, [], centre, None, "r210") == "w2"  # the centre goes one level up
    assert _select(ids.FINAL.SEGMENT_RESET, 1, [], None, 1, "r210") == ALL


def test_the_breadcrumb_shows_the_path_and_one_node_is_highlighted():
    nodes = [ids.segment_node(n) for n in (ALL, "w1", "r110", "c11")]
    crumb, classes = final.show_selection("c11", nodes, ["rfma-tree-node"] * 3 + ["rfma-tree-node rfma-tree-empty"])
    assert [item["label"] for item in crumb.items] == ["Все клиенты", "1 горячие", "110 VIP", "11 VIP"]
    assert classes[-1] == "rfma-tree-node rfma-tree-empty rfma-tree-selected" and "selected" not in classes[0]


def test_the_table_pages_sorts_and_filters_on_the_server(request_ctx, services):
    vip = engine_cards(services, region=110)
    request = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "revenue", "sort": "desc"}], "filterModel": {}}
    page = final.grid_rows(request, ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS)
    assert page["rowCount"] == len(vip) and len(page["rowData"]) == min(50, len(vip))
    assert {row["card"] for row in page["rowData"]} <= vip
    revenues = [row["revenue"] for row in page["rowData"]]
    assert revenues == sorted(revenues, reverse=True)
    second = final.grid_rows(request | {"startRow": 50, "endRow": 100}, ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS)
    assert {r["card"] for r in page["rowData"]} | {r["card"] for r in second["rowData"]} == vip
    filtered = final.grid_rows(
        request | {"filterModel": {"m": {"filterType": "number", "type": "equals", "filter": 1}}},
        ids.TAB_FINAL,
        *FULL,
        {},
        "r110",
        None,
        [2],
        None,
        None,
        None,
        None,
    )
    assert filtered["rowCount"] == len(engine_cards(services, region=110, m=1, r=2))
    assert type(final.grid_rows(request, ids.TAB_CLIENTS, *FULL, {}, ALL, *NO_FILTERS)).__name__ == "NoUpdate"


def test_the_csv_download_holds_the_whole_filtered_selection(request_ctx, services):
    expected = engine_cards(services, cluster=22)
    url, note = final.download_csv(1, *FULL, {}, "c22", *NO_FILTERS, {}, None, "excel")
    response = request_ctx.server.test_client().get(url)
    assert response.status_code == 200 and "rfma_22_" in response.headers["Content-Disposition"]
    frame = pd.read_csv(
        io.BytesIO(response.data), sep=";", decimal=",", comment="#", encoding="utf-8-sig", dtype={"card": str}
    )
    assert set(frame["card"]) == expected and len(frame) == len(expected) > 50  # more than one page
    assert "rfma_22_спящий_середняк_2021-07-01_2022-06-30.csv скачивается" in text(note)
    shop_url, _ = final.download_csv(1, *FULL, {}, ALL, ["Аптека 2"], None, None, None, None, None, {}, None, "csv")
    shop_frame = pd.read_csv(
        io.BytesIO(request_ctx.server.test_client().get(shop_url).data),
        comment="#",
        encoding="utf-8-sig",
        dtype={"card": str},
    )
    pairs = services.shop_clients(services.key(*FULL))
    assert set(shop_frame["card"]) == set(pairs.loc[pairs["shop"] == "Аптека 2", "card"])


def test_the_report_download_counts_the_selection_and_says_when_it_is_empty(request_ctx, services):
    data, _ = final.download_report(1, *FULL, {}, "w2", *NO_FILTERS, {})
    assert data["filename"].startswith("rfma_report_2_теплые_") and data["filename"].endswith(".html")
    for region in (210, 220, 230):
        assert f'data-clients="{len(engine_cards(services, region=region))}"' in data["content"]
    empty, _ = final.download_report(1, *FULL, {}, "w2", None, None, None, None, None, "нет-такой-карты", {})
    assert "В выборке нет ни одного клиента" in empty["content"]


def test_summary_count_scatter_and_breakdown_follow_the_selection(request_ctx, services):
    summary, count, scatter, bars = final.update_selection(ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, {})
    vip = engine_cards(services, region=110)
    assert count == f"110 VIP: {len(vip)} клиентов"
    assert {c for trace in scatter.data for c in trace.customdata[:, 0]} == vip
    assert all(type(trace).__name__ == "Scattergl" for trace in scatter.data)
    assert "Клиентов в выборке" in text(summary)
    assert "кластерам" in bars.figure.layout.title.text
    broken = final.update_selection(ids.TAB_FINAL, "2030-01-01", "2030-01-31", {}, ALL, *NO_FILTERS, {})
    assert "нет ни одного чека" in text(broken[0])


def test_a_click_on_a_scatter_point_opens_the_client_in_the_lookup():
    click = {"points": [{"x": 5, "y": 1.2, "customdata": ["100042", 812.5, "1121"]}]}
    assert final.open_clicked_client(click, 3) == ("100042", 4)
    assert type(final.open_clicked_client(None, None)[0]).__name__ == "NoUpdate"


def test_the_sunburst_has_every_non_empty_node_and_zooms_to_the_selection(request_ctx, services):
    tree = services.segment_tree(*FULL, {})
    fig = figures.segment_sunburst(tree, "r110")
    trace = fig.data[0]
    assert set(trace.ids) == set(tree.loc[tree["clients"] > 0, "id"]) | {ALL}
    assert trace.level == "r110" and trace.branchvalues == "total"
    klass = tree.loc[tree["level"] == "class", "id"].iloc[0]
    assert final.update_sunburst(ids.TAB_FINAL, *FULL, {}, klass).data[0].level.startswith("c")  # a class: its cluster


def test_the_scatter_samples_above_50_000_points_and_says_so():
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
    from core.client_filter import sample_clients

    fig = figures.rfm_scatter(sample_clients(points), n)
    assert sum(len(t.x) for t in fig.data) == 50_000
    assert "случайная выборка 50\u00a0000 из 60\u00a0000" in fig.layout.title.text
    assert "50\u00a0000" not in figures.rfm_scatter(points.iloc[:100], 100).layout.title.text


def test_breakdown_and_empty_figures():
    assert "нет клиентов" in figures.rfm_scatter(pd.DataFrame(), 0).layout.annotations[0].text
    tree = segment_tree(pd.DataFrame(columns=["card", "class", "revenue"]))
    assert len(figures.segment_sunburst(tree).data[0].ids) == 1
