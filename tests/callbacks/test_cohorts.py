"""«Когорты» callbacks called as Dash calls them, inside a Flask request."""

from __future__ import annotations

import json

from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.cohorts import CohortsCallbacks
from dashboard import ids
from layouts.cohorts import PICK_PROMPT
from tests.support.components import text
from tests.support.dashboard import FULL


def triggered(trigger, prop: str, value, call):
    name = trigger if isinstance(trigger, str) else json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": value}]))
    try:
        return call()
    finally:
        context_value.reset(token)


def test_a_hidden_tab_computes_nothing(services):
    callbacks = CohortsCallbacks(services)
    assert all(type(v).__name__ == "NoUpdate" for v in callbacks.update_cohorts(ids.TAB_FINAL, "all", "ltv", *FULL, {}))
    assert all(type(v).__name__ == "NoUpdate" for v in callbacks.update_pareto(ids.TAB_FINAL, *FULL, {}))
    assert type(callbacks.update_tree(ids.TAB_FINAL, *FULL, {}, "all")).__name__ == "NoUpdate"


def test_the_tab_draws_the_heatmap_of_the_metric_and_segment(services):
    callbacks = CohortsCallbacks(services)
    crumb, heatmap, note, ltv = callbacks.update_cohorts(ids.TAB_COHORTS, "r110", "avg_cheque", *FULL, {})
    assert "110 VIP" in text(crumb) and "средний чек" in heatmap.layout.title.text
    assert "когорт" in text(note) and ltv.data
    bad = callbacks.update_cohorts(ids.TAB_COHORTS, "all", "retention", "2022-07-01", "2022-01-01", {})
    assert "Ошибка" in text(bad[2]) or "период" in text(bad[2]).lower()


def test_the_pharmacy_selector_lists_every_pharmacy_and_keeps_a_known_one(services):
    callbacks = CohortsCallbacks(services)
    options, value, figure, _ = callbacks.update_dynamics(ids.TAB_COHORTS, "Аптека 11", *FULL, {})
    assert options[0]["value"] == "Вся сеть" and {"label": "Аптека 11", "value": "Аптека 11"} in options
    assert type(value).__name__ == "NoUpdate" and "Аптека 11" in figure.layout.title.text
    _, value, figure, _ = callbacks.update_dynamics(ids.TAB_COHORTS, "Аптека 99", *FULL, {})
    assert value == "Вся сеть" and "Вся сеть" in figure.layout.title.text


def test_a_click_picks_its_key_and_a_new_segment_clears_it():
    click = {"points": [{"customdata": "cell|all|2021-07|2"}]}
    pick = triggered(
        ids.COHORTS.HEATMAP, "clickData", click, lambda: CohortsCallbacks.select_pick(click, None, None, [0], "all")
    )
    assert pick == "cell|all|2021-07|2"
    band = triggered(ids.cohort_band(3), "n_clicks", 1, lambda: CohortsCallbacks.select_pick(None, None, None, [1]))
    assert band == "band|3"
    redrawn = triggered(ids.cohort_band(3), "n_clicks", 0, lambda: CohortsCallbacks.select_pick(None, None, None, [0]))
    assert type(redrawn).__name__ == "NoUpdate"
    cleared = triggered(
        ids.COHORTS.SELECTION, "data", "r110", lambda: CohortsCallbacks.select_pick(None, None, None, [0], "r110")
    )
    assert cleared is None


def test_the_pick_s_count_line_rows_and_download(services):
    callbacks = CohortsCallbacks(services)
    assert callbacks.show_pick(None, ids.TAB_COHORTS, *FULL, {}) == PICK_PROMPT
    line = callbacks.show_pick("band|1", ids.TAB_COHORTS, *FULL, {})
    assert "топ 20 % клиентов по выручке: 120 клиентов" in text(line)
    page = callbacks.pick_rows({"startRow": 0, "endRow": 50}, ids.TAB_COHORTS, "band|1", *FULL, {})
    assert page["rowCount"] == 120 and len(page["rowData"]) == 50
    assert callbacks.pick_rows({"startRow": 0, "endRow": 50}, ids.TAB_FINAL, "band|1", *FULL, {})["rowCount"] == 0
    url, message = callbacks.download_csv(1, "band|1", *FULL, {}, None)
    assert "token=" in url and "rfma_парето_0-20" in text(message)
    _, refused = callbacks.download_csv(1, "band|9", *FULL, {}, None)
    assert "неизвестный выбор" in text(refused).lower()


def test_the_tree_has_the_period_s_counts_and_the_selection_marked(services):
    from tests.support.tree import tree_nodes

    nodes = tree_nodes(CohortsCallbacks(services).update_tree(ids.TAB_COHORTS, *FULL, {}, "r110"))
    assert "600" in nodes["all"].text
    assert [node for node, found in nodes.items() if "rfma-tree-selected" in found.classes] == ["r110"]


def test_a_click_on_a_tree_node_selects_it_once():
    select = CohortsCallbacks.select_segment
    assert select({"node": "c11", "at": 1}, "all") == "c11"
    assert type(select({"node": "c11", "at": 2}, "c11")).__name__ == "NoUpdate"  # the same node again
    assert type(select(None, "all")).__name__ == "NoUpdate"


def test_create_campaign_from_a_pick_stores_its_clients_and_a_viewer_is_refused(services):
    from flask import g

    from callbacks.campaign_form import CampaignFormCallbacks
    from callbacks.cohorts import cohort_selection
    from dashboard.services.access import IDENTITY_KEY, Identity

    form = CampaignFormCallbacks(services, cohort_selection, "cohorts")
    link, message = form.create(1, "Топ 20", 10, 30, "band|1", *FULL, {})
    assert "download/clients.csv?token=" in link and "Кампания «Топ 20» создана" in text(message)
    (campaign,) = services.campaigns.store.all()
    assert campaign.clients == 120 and "Парето: топ 20 % клиентов" in campaign.selection
    (audited,) = services.audit.entries(action="campaign_created")
    assert audited.rows == campaign.target_clients and "«Топ 20»: «Когорты»: Парето" in audited.detail
    _, nothing = form.create(2, "Пусто", 10, 30, None, *FULL, {})
    assert "Сначала выберите клиентов: нажмите на ячейку" in text(nothing)
    setattr(g, IDENTITY_KEY, Identity("vera", "viewer"))
    link, refused = form.create(3, "Чужая", 10, 30, "band|1", *FULL, {})
    assert type(link).__name__ == "NoUpdate" and "создавать кампании могут менеджер и администратор" in text(refused)
    assert [c.name for c in services.campaigns.store.all()] == ["Топ 20"]
