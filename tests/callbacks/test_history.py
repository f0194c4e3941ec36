"""«История» callbacks called as Dash calls them, inside a Flask request: save, the list and choosers, the pair,
the selected flow or list (count line, pages, CSV link), and «История сегментов» in «Финал»'s client card."""

from __future__ import annotations

import json

from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.final import FinalCallbacks
from callbacks.history import HistoryCallbacks, chosen_pair
from core.formatting import integer
from dashboard import ids
from tests.support.components import find, text, walk
from tests.support.dashboard import FULL

FIRST_HALF = ("2021-07-01", "2021-12-31")


def no_update(value) -> bool:
    return type(value).__name__ == "NoUpdate"


def test_save_bumps_the_version_and_the_list_and_choosers_follow(services):
    callbacks = HistoryCallbacks(services)
    listed = callbacks.update_list(ids.TAB_HISTORY, 0, "region", *FULL, None, None, None)
    assert "Снимков пока нет" in text(listed[0]) and listed[2] == [] and all(no_update(v) for v in listed[4:])
    message, version = callbacks.save(1, *FIRST_HALF, None, 0)
    assert version == 1 and "Снимок №1 сохранён: на " in text(message)
    message, version = callbacks.save(2, *FULL, None, version)
    assert version == 2 and "Снимок №2" in text(message)
    again, same = callbacks.save(3, *FULL, None, version)
    assert "заменил прежний" in text(again) and same == 3
    table, figure, before_options, after_options, before, after = callbacks.update_list(
        ids.TAB_HISTORY, 3, "cluster", *FULL, None, None, None
    )
    assert "Сохранено: 2 снимка" in text(table) and len(figure.data) > 3
    assert [o["value"] for o in before_options] == [1, 2] == [o["value"] for o in after_options]
    assert (before, after) == (1, 2)
    kept = callbacks.update_list(ids.TAB_HISTORY, 3, "region", *FULL, None, 2, 1)
    assert no_update(kept[4]) and no_update(kept[5])  # the user's choice stays while it names snapshots
    hidden = callbacks.update_list(ids.TAB_CLIENTS, 3, "region", *FULL, None, None, None)
    assert all(no_update(v) for v in hidden)


def test_the_pair_draws_the_sankey_matrix_and_entered_left_counts(services):
    callbacks = HistoryCallbacks(services)
    callbacks.save(1, *FIRST_HALF, None, 0)
    callbacks.save(1, *FULL, None, 1)
    body, sankey, matrix, changes = callbacks.update_pair(ids.TAB_HISTORY, 1, 2, "region", 2, *FULL, None)
    assert type(sankey.data[0]).__name__ == "Sankey" and "осталось %" in text(matrix)
    assert "Новые в B" in text(body) and "Вошли" in text(changes)
    cells = [c for c in walk(matrix) if isinstance(getattr(c, "id", None), dict)]
    assert cells and all(c.id["type"] == ids.HISTORY_FLOW_TYPE for c in cells)  # not «Миграция»'s cells
    same = callbacks.update_pair(ids.TAB_HISTORY, 1, 1, "region", 2, *FULL, None)
    assert "два разных снимка" in text(same[0]) and same[2] is None
    assert callbacks.update_pair(ids.TAB_HISTORY, None, 1, "region", 2, *FULL, None)[0] is None


def select(function, trigger, value, prop="n_clicks", *extra):
    name = trigger if isinstance(trigger, str) else json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": value}]))
    try:
        return function([value], *extra)
    finally:
        context_value.reset(token)


def test_a_cell_a_link_or_a_count_selects_and_a_new_pair_clears():
    flow = HistoryCallbacks.select_flow
    assert select(flow, ids.history_flow("region|110|410"), 1, "n_clicks", None) == "region|110|410"
    assert select(flow, ids.history_flow("region|new|510"), 1, "n_clicks", None) == "region|новый|510"
    link = {"points": [{"customdata": "cluster|11|41"}]}
    assert select(flow, ids.HISTORY.SANKEY, link, "clickData", link) == "cluster|11|41"
    assert select(flow, ids.HISTORY.BEFORE, 3, "value", None) is None
    change = HistoryCallbacks.select_change
    assert select(change, ids.history_change("region|110|entered"), 1) == "region|110|entered"
    assert no_update(select(change, ids.history_change("region|110|entered"), None))
    assert select(change, ids.HISTORY.LEVEL, "class", "value") is None


def test_a_selected_list_is_named_paged_and_downloaded(services):
    callbacks = HistoryCallbacks(services)
    callbacks.save(1, *FIRST_HALF, None, 0)
    callbacks.save(1, *FULL, None, 1)
    view = services.history.pair_view(services.requests.build(*FULL), 1, 2)
    counts = view.counts["region"].set_index("segment")
    segment = str(counts["entered"].idxmax())
    key = f"region|{segment}|entered"
    line = callbacks.show_count("change", key, ids.TAB_HISTORY, 1, 2, *FULL, None)
    assert f": {integer(counts.loc[segment, 'entered'])} клиент" in text(line) and "Вошли в" in text(line)
    request = {"startRow": 0, "endRow": 50, "sortModel": []}
    page = callbacks.rows("change", request, ids.TAB_HISTORY, key, 1, 2, *FULL, None)
    assert page["rowCount"] == counts.loc[segment, "entered"] and {r["segment"] for r in page["rowData"]} == {segment}
    assert callbacks.rows("change", request, ids.TAB_CLIENTS, key, 1, 2, *FULL, None)["rowCount"] == 0
    url, message = callbacks.download_csv("change", 1, key, 1, 2, *FULL, None, [])
    assert url.startswith("/download/clients.csv?token=") and "rfma_history_region_" in text(message)
    _, error = callbacks.download_csv("flow", 1, None, 1, 2, *FULL, None, [])
    assert "Выберите поток" in text(error)
    assert "Нажмите на число" in callbacks.show_count("change", None, ids.TAB_HISTORY, 1, 2, *FULL, None)


def test_the_client_card_shows_the_client_s_history_of_segments(services):
    HistoryCallbacks(services).save(1, *FIRST_HALF, None, 0)
    card = str(services.analyses.classification(services.requests.build(*FIRST_HALF)).clients["card"].iloc[0])
    shown = FinalCallbacks(services).lookup_card(1, None, ids.TAB_FINAL, *FULL, None, card)
    path = find(shown, ids.HISTORY.CLIENT_PATH)
    assert "История сегментов" in text(path) and "№1" in text(path)


def test_the_choosers_keep_two_different_snapshots_else_show_the_newest_pair():
    assert chosen_pair(1, 3, [1, 2, 3], (2, 3), saved=False) == (1, 3)
    assert chosen_pair(None, 1, [1, 2], (1, 2), saved=False) == (1, 2)  # after the second save
    assert chosen_pair(2, 2, [1, 2], (1, 2), saved=False) == (1, 2)
    assert chosen_pair(1, 3, [1, 2, 3, 4], (3, 4), saved=True) == (3, 4)  # a new snapshot: since the previous one
    assert chosen_pair(5, 3, [1, 2, 3], (2, 3), saved=False) == (2, 3)  # a snapshot gone


def test_create_campaign_from_a_flow_or_an_entered_list_stores_its_clients_at_b_s_date(services):
    from flask import g

    from callbacks.campaign_form import CampaignFormCallbacks
    from callbacks.history import change_selection, flow_selection
    from dashboard.services.access import IDENTITY_KEY, Identity

    callbacks = HistoryCallbacks(services)
    callbacks.save(1, *FIRST_HALF, None, 0)
    callbacks.save(1, *FULL, None, 1)
    view = services.history.pair_view(services.requests.build(*FULL), 1, 2)
    counts = view.counts["region"].set_index("segment")
    segment = str(counts["entered"].idxmax())
    key = f"region|{segment}|entered"
    form = CampaignFormCallbacks(services, change_selection, "history_change")
    link, message = form.create(1, "Вошедшие", 10, 30, key, 1, 2, *FULL, None)
    assert "download/clients.csv?token=" in link and "старт 30.06.2022" in text(message)
    (campaign,) = services.campaigns.store.all()
    assert campaign.clients == counts.loc[segment, "entered"] and "вошли в" in campaign.selection
    top = view.matrices["region"].sort_values("clients").iloc[-1]
    flow = f"region|{top['source_region']}|{top['destination_region']}"
    flows = CampaignFormCallbacks(services, flow_selection, "history_flow")
    _, made = flows.create(2, "Поток", 10, 30, flow, 1, 2, *FULL, None)
    assert "Кампания «Поток» создана" in text(made)
    assert services.campaigns.store.get("Поток").clients == int(top["clients"])
    _, unpicked = flows.create(3, "Без потока", 10, 30, None, 1, 2, *FULL, None)
    assert "Выберите поток" in text(unpicked)
    setattr(g, IDENTITY_KEY, Identity("vera", "viewer"))
    _, refused = form.create(4, "Чужая", 10, 30, key, 1, 2, *FULL, None)
    assert "создавать кампании могут менеджер и администратор" in text(refused)
    assert [c.name for c in services.campaigns.store.all()] == ["Поток", "Вошедшие"]
