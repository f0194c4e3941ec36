"""«Миграция» callbacks called as Dash calls them, inside a Flask request."""

from __future__ import annotations

import json

from dash._callback_context import context_value
from dash._utils import AttributeDict

from callbacks.migration import MigrationCallbacks, bonus_bounds
from core.formatting import integer
from dashboard import ids
from tests.support.components import find, text
from tests.support.dashboard import FULL, HALF


def test_the_tab_shows_shares_a_sankey_and_the_matrix(services):
    callbacks = MigrationCallbacks(services)
    body, sankey, matrix = callbacks.update(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {})
    assert type(sankey.data[0]).__name__ == "Sankey" and "осталось %" in text(matrix)
    view = services.migration.view(services.requests.build(*FULL), "2022-01-15")
    assert find(body, ids.MIGRATION.NEW).children == integer(view.shares["new"]) and view.shares["new"] > 0
    assert "новый" in sankey.data[0].node.label
    cluster = callbacks.update(ids.TAB_MIGRATION, "2022-01-15", "cluster", "revenue_after", *FULL, {})
    assert "выручка" in text(cluster[2])


def test_a_bonus_date_outside_the_period_is_explained(services):
    body, sankey, matrix = MigrationCallbacks(services).update(
        ids.TAB_MIGRATION, "2021-03-01", "region", "clients", *HALF, {}
    )
    assert "вне периода" in text(body) and sankey.data == () and matrix is None


def test_a_hidden_tab_computes_nothing_and_pins_change_the_result(services):
    callbacks = MigrationCallbacks(services)
    hidden = callbacks.update(ids.TAB_CLIENTS, "2022-01-15", "region", "clients", *FULL, {})
    assert hidden[0] is None and hidden[2] is None and type(hidden[1]).__name__ == "NoUpdate"
    free = callbacks.update(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {})
    pinned = callbacks.update(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {"r1": 5, "r2": 10})
    assert text(free) != text(pinned)


def test_bonus_date_bounds_follow_the_period():
    assert bonus_bounds("2022-01-01T00:00:00", "2022-06-30", "2022-02-01")[:2] == ("2022-01-01", "2022-06-30")
    assert bonus_bounds(None, "", None)[:2] == (None, None)


def test_a_bonus_date_left_outside_a_new_period_moves_inside_it():
    assert bonus_bounds("2022-04-01", "2022-06-30", "2021-12-30") == ("2022-04-01", "2022-06-30", "2022-05-16")
    inside = bonus_bounds("2021-07-01", "2022-06-30", "2022-01-15")
    assert inside[:2] == ("2021-07-01", "2022-06-30") and type(inside[2]).__name__ == "NoUpdate"


def select(trigger: str | dict, value, prop: str | None = None):
    prop = prop or ("clickData" if trigger == ids.MIGRATION.SANKEY else "n_clicks")
    name = trigger if isinstance(trigger, str) else json.dumps(trigger, sort_keys=True, separators=(",", ":"))
    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{name}.{prop}", "value": value}]))
    try:
        return MigrationCallbacks.select_flow([value], value if prop == "clickData" else None)
    finally:
        context_value.reset(token)


def test_a_matrix_cell_or_a_sankey_link_selects_its_flow_and_a_node_does_not():
    assert select(ids.migration_flow("region|110|410"), 1) == "region|110|410"
    assert type(select(ids.migration_flow("region|110|410"), None)).__name__ == "NoUpdate"  # a re-rendered matrix
    link = {"points": [{"customdata": "cluster|11|41", "value": 3, "pointNumber": 0}]}
    assert select(ids.MIGRATION.SANKEY, link) == "cluster|11|41"
    node = {"points": [{"label": "11 VIP", "value": 3, "pointNumber": 0}]}
    assert type(select(ids.MIGRATION.SANKEY, node)).__name__ == "NoUpdate"


def test_a_new_level_bonus_date_or_period_clears_the_selected_flow():
    assert select(ids.MIGRATION.LEVEL, "cluster", "value") is None
    assert select(ids.MIGRATION.BONUS_DATE, "2022-02-01", "date") is None
    assert select(ids.HEADER.PERIOD, "2022-01-01", "start_date") is None
    assert select(ids.HEADER.PERIOD, "2022-06-30", "end_date") is None
    assert type(select(ids.MIGRATION.VALUE, "revenue_after", "value")).__name__ == "NoUpdate"  # the matrix's switch


def test_a_selected_flow_is_named_paged_and_downloaded(services):
    callbacks = MigrationCallbacks(services)
    view = services.migration.view(services.requests.build(*FULL), "2022-01-15")
    cell = view.matrices["region"].sort_values("clients").iloc[-1]
    key = f"region|{cell['source_region']}|{cell['destination_region']}"
    line = callbacks.show_flow(key, ids.TAB_MIGRATION, "2022-01-15", *FULL, {})
    assert f": {integer(cell['clients'])} клиент" in text(line)
    assert "Нажмите на поток" in callbacks.show_flow(None, ids.TAB_MIGRATION, "2022-01-15", *FULL, {})
    request = {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "revenue", "sort": "desc"}]}
    page = callbacks.flow_rows(request, ids.TAB_MIGRATION, key, "2022-01-15", *FULL, {})
    assert page["rowCount"] == cell["clients"] and {r["source_region"] for r in page["rowData"]} == {
        cell["source_region"]
    }
    hidden = callbacks.flow_rows(request, ids.TAB_CLIENTS, key, "2022-01-15", *FULL, {})
    assert hidden == {"rowData": [], "rowCount": 0}  # answered at once; showing the tab purges the grid
    assert callbacks.flow_rows(request, ids.TAB_MIGRATION, None, "2022-01-15", *FULL, {})["rowCount"] == 0
    url, message = callbacks.download_csv(1, key, "2022-01-15", *FULL, {}, [])
    assert url.startswith("/download/clients.csv?token=") and "скачивается" in text(message)
    assert cell["source_region"] not in url  # the link carries a token, not the flow
    _, error = callbacks.download_csv(1, None, "2022-01-15", *FULL, {}, [])
    assert "Выберите поток" in text(error)
