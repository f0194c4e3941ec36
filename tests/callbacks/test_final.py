"""«Финал» callbacks: the segment tree, selection, client table, downloads, card lookup — called as Dash calls them."""

from __future__ import annotations

import io
import json

import pandas as pd
from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.final import FinalCallbacks
from core.segment_tree import ALL
from dashboard import ids
from tests.support.components import figures, find, text
from tests.support.dashboard import EMPTY, FULL
from tests.support.tree import tree_nodes

NO_FILTERS = (None, None, None, None, None, None)


def engine_cards(services, **match) -> set:
    clients = services.analyses.classification(services.requests.build(*FULL)).clients
    mask = pd.Series(True, index=clients.index)
    for column, value in match.items():
        mask &= clients[column].astype(type(value)) == value
    return set(clients.loc[mask, "card"])


def no_update(value) -> bool:
    return type(value).__name__ == "NoUpdate"


def test_regions_clusters_and_all_108_classes(services):
    body = FinalCallbacks(services).update_final(ids.TAB_FINAL, *FULL, {})
    grid = find(body, ids.FINAL.CLASS_TABLE)
    assert len(grid.rowData) == 108 and sum(row["clients"] for row in grid.rowData) == 600
    assert text(find(body, ids.FINAL.REGION_TABLE)).count("горячие") == 1
    assert len(find(body, ids.FINAL.CLUSTER_TABLE).children[1].children) == 16
    assert len(find(body, ids.FINAL.RECOMMENDATIONS).children) == 9
    assert "Наши лучшие клиенты" in text(body)


def test_a_hidden_tab_computes_nothing_and_errors_are_messages(services):
    callbacks = FinalCallbacks(services)
    assert no_update(callbacks.update_final(ids.TAB_CLIENTS, *FULL, {}))  # what is drawn stays
    assert no_update(callbacks.update_tree(ids.TAB_CLIENTS, *FULL, {}, ALL)[0])
    assert "нет ни одного чека" in text(callbacks.update_final(ids.TAB_FINAL, *EMPTY, {}))
    assert "под заголовком" in text(callbacks.update_final(ids.TAB_FINAL, *FULL, {"r1": 300}))


def test_pinned_thresholds_are_used(services):
    callbacks = FinalCallbacks(services)
    free = callbacks.update_final(ids.TAB_FINAL, *FULL, {})
    pinned = callbacks.update_final(ids.TAB_FINAL, *FULL, {"r1": 5})
    assert "r1 = 5," in text(pinned) and "r1 = 5," not in text(free)


def test_card_lookup_shows_metrics_segments_and_cheques(services):
    callbacks = FinalCallbacks(services)
    result = callbacks.lookup_card(1, None, ids.TAB_FINAL, *FULL, {}, " 100000 ")
    assert "Регион" in text(result) and "Кластер" in text(result)
    assert find(result, ids.FINAL.CLIENT_CHEQUES).figure.data[0].y is not None
    assert "не найдена" in text(callbacks.lookup_card(1, None, ids.TAB_FINAL, *FULL, {}, "999"))
    assert "Введите номер карты" in text(callbacks.lookup_card(None, None, ids.TAB_FINAL, *FULL, {}, ""))


def test_the_tree_marks_the_selection_and_lists_the_pharmacies(services):
    callbacks = FinalCallbacks(services)
    tree, shops = callbacks.update_tree(ids.TAB_FINAL, *FULL, {}, "r110")
    nodes = tree_nodes(tree)
    assert nodes["r110"].classes[-1] == "rfma-tree-selected"
    assert "600" in nodes[ALL].text
    assert len(shops) == 8 and shops[0]["value"] == "Аптека 1" and shops[-1]["value"] == "Аптека 11"
    klass = min(services.analyses.classification(services.requests.build(*FULL)).clients["class"].astype(str))
    tree, _ = callbacks.update_tree(ids.TAB_FINAL, *FULL, {}, f"k{klass}")
    opened = [node for node, found in tree_nodes(tree).items() if found.in_open_details]
    assert f"k{klass}" in opened and [node for node in opened if node[0] != "k"] == opened[:1]  # its cluster only
    assert opened[0].startswith("c")


def select(services, trigger: str | dict, value, *args):
    props = {ids.FINAL.SEGMENT_RESET: "n_clicks", ids.FINAL.SUNBURST: "clickData", ids.FINAL.TREE_CLICK: "data"}
    prop = "n_clicks" if isinstance(trigger, dict) else props[trigger]
    name = trigger if isinstance(trigger, str) else json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": value}]))
    try:
        *clicks, current = args
        return FinalCallbacks(services).select_segment(*clicks, [], current)
    finally:
        context_value.reset(token)


def test_selecting_by_the_list_the_sunburst_and_reset(services):
    click = {"node": "c11", "at": 1}
    assert select(services, ids.FINAL.TREE_CLICK, click, click, None, None, ALL) == "c11"
    assert no_update(select(services, ids.FINAL.TREE_CLICK, click, click, None, None, "c11"))  # the same node
    click = {"points": [{"id": "r210"}]}
    assert select(services, ids.FINAL.SUNBURST, click, [], click, None, ALL) == "r210"
    assert select(services, ids.FINAL.SUNBURST, click, [], click, None, "r210") == "w2"  # the centre: one level up
    assert select(services, ids.FINAL.SEGMENT_RESET, 1, [], None, 1, "r210") == ALL
    assert select(services, ids.breadcrumb_node("w2"), 1, [], None, None, "r210") == "w2"  # a breadcrumb level
    assert no_update(select(services, ids.breadcrumb_node("w2"), 0, [], None, None, "r210"))  # re-rendered


def test_the_breadcrumb_shows_the_path(services):
    crumb = FinalCallbacks(services).show_selection("c11")
    assert [
        li.children if isinstance(li.children, str) else li.children.children for li in crumb.children.children
    ] == [
        "Все клиенты",
        "1 горячие",
        "110 VIP",
        "11 VIP",
    ]


def test_the_table_pages_sorts_and_filters_on_the_server(services):
    callbacks = FinalCallbacks(services)
    vip = engine_cards(services, region=110)
    request = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "revenue", "sort": "desc"}], "filterModel": {}}
    page = callbacks.grid_rows(request, ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS)
    assert page["rowCount"] == len(vip) and len(page["rowData"]) == min(50, len(vip))
    assert {row["card"] for row in page["rowData"]} <= vip
    revenues = [row["revenue"] for row in page["rowData"]]
    assert revenues == sorted(revenues, reverse=True)
    second = callbacks.grid_rows(
        request | {"startRow": 50, "endRow": 100}, ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS
    )
    assert {r["card"] for r in page["rowData"]} | {r["card"] for r in second["rowData"]} == vip
    by_m = request | {"filterModel": {"m": {"filterType": "number", "type": "equals", "filter": 1}}}
    filtered = callbacks.grid_rows(by_m, ids.TAB_FINAL, *FULL, {}, "r110", None, [2], None, None, None, None)
    assert filtered["rowCount"] == len(engine_cards(services, region=110, m=1, r=2)) > 0
    assert callbacks.grid_rows(request, ids.TAB_CLIENTS, *FULL, {}, ALL, *NO_FILTERS) == {"rowData": [], "rowCount": 0}
    assert callbacks.grid_rows(request, ids.TAB_FINAL, *EMPTY, {}, ALL, *NO_FILTERS) == {"rowData": [], "rowCount": 0}


def test_summary_count_scatter_and_breakdown_follow_the_selection(services):
    callbacks = FinalCallbacks(services)
    summary, count, _filters, scatter, bars = callbacks.update_selection(
        ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, {}
    )
    vip = engine_cards(services, region=110)
    assert count.startswith(f"110 VIP: {len(vip)} клиент")
    assert {c for trace in scatter.data for c in trace.customdata[:, 0]} == vip
    assert all(type(trace).__name__ == "Scattergl" for trace in scatter.data)
    assert "Клиентов в выборке" in text(summary)
    assert "кластерам" in bars.figure.layout.title.text
    broken = callbacks.update_selection(ids.TAB_FINAL, *EMPTY, {}, ALL, *NO_FILTERS, {})
    assert "нет ни одного чека" in text(broken[0]) and broken[1] == ""


def test_the_sunburst_zooms_to_the_selection(services):
    callbacks = FinalCallbacks(services)
    assert callbacks.update_sunburst(ids.TAB_FINAL, *FULL, {}, "r110").data[0].level == "r110"
    klass = services.final.segment_tree(services.requests.build(*FULL)).query("level == 'class'")["id"].iloc[0]
    assert callbacks.update_sunburst(ids.TAB_FINAL, *FULL, {}, klass).data[0].level.startswith("c")  # its cluster
    assert "нет ни одного чека" in callbacks.update_sunburst(ids.TAB_FINAL, *EMPTY, {}, ALL).layout.annotations[0].text


def test_the_csv_download_holds_the_whole_filtered_selection(request_ctx, services):
    callbacks = FinalCallbacks(services)
    expected = engine_cards(services, cluster=22)
    url, note = callbacks.download_csv(1, *FULL, {}, "c22", *NO_FILTERS, {}, None, "excel", "ru")
    response = request_ctx.server.test_client().get(url)
    assert response.status_code == 200 and "rfma_22_" in response.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(response.data), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert frame.columns[0] == "Карта" and frame["Карта"].str.match(r'^="\d+"$').all()  # Excel keeps it as text
    assert set(frame["Карта"].str[2:-1]) == expected and len(frame) == len(expected) > 50  # more than one page
    assert "rfma_22_спящий_середняк_2021-07-01_2022-06-30.csv скачивается" in text(note)
    shop_url, note = callbacks.download_csv(
        1, *FULL, {}, ALL, ["Аптека 2"], None, None, None, None, None, {}, None, "csv", "machine"
    )
    assert "rfma_все_клиенты_Аптека_2_2021-07-01_2022-06-30.csv скачивается" in text(note)
    shop_frame = pd.read_csv(io.BytesIO(request_ctx.server.test_client().get(shop_url).data), dtype={"card": str})
    pairs = services.analyses.shop_clients(services.requests.build(*FULL))
    assert set(shop_frame["card"]) == set(pairs.loc[pairs["shop"] == "Аптека 2", "card"])


def test_an_invalid_state_shows_the_message_and_makes_no_link(services):
    callbacks = FinalCallbacks(services)
    url, note = callbacks.download_csv(1, *EMPTY, {}, "all", *NO_FILTERS, {}, None, "excel", "ru")
    assert no_update(url) and "нет ни одного чека" in text(note)
    url, note = callbacks.download_csv(
        1, *FULL, {}, "all", *NO_FILTERS, {"nope": {"filterType": "text"}}, None, "csv", "ru"
    )
    assert no_update(url) and "неизвестной колонке" in text(note)


def test_the_report_download_counts_the_selection_and_says_when_it_is_empty(services):
    callbacks = FinalCallbacks(services)
    data, _ = callbacks.download_report(1, *FULL, {}, "w2", *NO_FILTERS, {})
    assert data["filename"].startswith("rfma_report_2_теплые_") and data["filename"].endswith(".html")
    for region in (210, 220, 230):
        assert f'data-clients="{len(engine_cards(services, region=region))}"' in data["content"]
    empty, _ = callbacks.download_report(1, *FULL, {}, "w2", None, None, None, None, None, "нет-такой-карты", {})
    assert "В выборке нет ни одного клиента" in empty["content"]


def test_a_click_on_a_scatter_point_opens_the_client_in_the_lookup():
    click = {"points": [{"x": 5, "y": 1.2, "customdata": ["100042", 812.5, "1121"]}]}
    assert FinalCallbacks.open_clicked_client(click, 3) == ("100042", 4)
    assert no_update(FinalCallbacks.open_clicked_client(None, None)[0])


def test_every_figure_of_the_selection_comes_from_the_selection(services):
    _summary, _count, _filters, scatter, bars = FinalCallbacks(services).update_selection(
        ids.TAB_FINAL, *FULL, {}, "c22", *NO_FILTERS, {}
    )
    assert {c for trace in scatter.data for c in trace.customdata[:, 0]} == engine_cards(services, cluster=22)
    assert len(figures(bars)) == 1 and "классам" in bars.figure.layout.title.text


def test_a_part_shown_again_with_the_inputs_it_was_drawn_for_is_kept_not_redrawn(services):
    import pytest
    from dash.exceptions import PreventUpdate

    callbacks = FinalCallbacks(services)
    calls = []

    def render(tab, start, end, pins):
        calls.append(tab)
        return callbacks.update_final(tab, start, end, pins)

    body = callbacks.unless_drawn(render, lambda *inputs: inputs)
    drawn, key = body(ids.TAB_FINAL, *FULL, {}, None)
    assert "Наши лучшие клиенты" in text(drawn) and key
    hidden, kept = body(ids.TAB_CLIENTS, *FULL, {}, key)  # another tab: nothing drawn, the key stays
    assert no_update(hidden) and no_update(kept)
    with pytest.raises(PreventUpdate):  # back on «Финал», nothing changed
        body(ids.TAB_FINAL, *FULL, {}, key)
    pinned, pinned_key = body(ids.TAB_FINAL, *FULL, {"r1": 5}, key)  # the pins changed meanwhile: drawn again
    assert "r1 = 5," in text(pinned) and pinned_key not in (key, None)
    assert calls == [ids.TAB_FINAL, ids.TAB_CLIENTS, ids.TAB_FINAL]
    error, error_key = body(ids.TAB_FINAL, "2022-02-01", "2022-01-01", {}, None)  # an error is never kept
    assert "позже его конца" in text(error) and error_key is None


def test_the_selection_and_the_card_are_kept_for_the_same_inputs_only(services):
    import pytest
    from dash.exceptions import PreventUpdate

    callbacks = FinalCallbacks(services)
    selection = callbacks.unless_drawn(callbacks.update_selection, lambda *inputs: inputs)
    *_, key = selection(ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, {}, None)
    with pytest.raises(PreventUpdate):
        selection(ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, {}, key)
    _summary, count, *_ = selection(ids.TAB_FINAL, *FULL, {}, "r210", *NO_FILTERS, {}, key)
    assert count.startswith("210 ")
    card = callbacks.unless_drawn(
        callbacks.lookup_card,
        lambda clicks, submits, tab, start, end, pins, number: (tab, start, end, pins, clicks, submits, number),
    )
    _, card_key = card(1, None, ids.TAB_FINAL, *FULL, {}, "100000", None)
    with pytest.raises(PreventUpdate):
        card(1, None, ids.TAB_FINAL, *FULL, {}, "100000", card_key)
    again, _ = card(2, None, ids.TAB_FINAL, *FULL, {}, "100000", card_key)  # «Найти» pressed again
    assert "Регион" in text(again)


def test_the_client_grid_starting_with_an_empty_filter_model_does_not_redraw_the_selection(services):
    import pytest
    from dash.exceptions import PreventUpdate

    from callbacks.final import selection_key_inputs

    selection = FinalCallbacks(services).unless_drawn(FinalCallbacks(services).update_selection, selection_key_inputs)
    *_, key = selection(ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, None, None)  # the page's first render
    with pytest.raises(PreventUpdate):  # the grid reports its (empty) filter model
        selection(ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, {}, key)
    model = {"revenue": {"filterType": "number", "type": "greaterThan", "filter": 1000}}
    _summary, count, *_ = selection(ids.TAB_FINAL, *FULL, {}, "r110", *NO_FILTERS, model, key)  # a real filter
    assert count.startswith("110 ")
