"""«Миграция» callbacks called as Dash calls them, inside a Flask request."""

from __future__ import annotations

from callbacks.migration import MigrationCallbacks, bonus_bounds
from core.formatting import integer
from dashboard import ids
from tests.support.components import figures, find, text
from tests.support.dashboard import FULL, HALF


def test_the_tab_shows_shares_a_sankey_and_a_heatmap(services):
    callbacks = MigrationCallbacks(services)
    body = callbacks.update(ids.TAB_MIGRATION, "2022-01-15", "region", "clients", *FULL, {})
    assert [type(fig.data[0]).__name__ for fig in figures(body)] == ["Sankey", "Heatmap"]
    view = services.migration.view(services.requests.build(*FULL), "2022-01-15")
    assert find(body, ids.MIGRATION.NEW).children == integer(view.shares["new"]) and view.shares["new"] > 0
    assert "новый (до)" in figures(body)[0].data[0].node.label
    cluster = callbacks.update(ids.TAB_MIGRATION, "2022-01-15", "cluster", "revenue_after", *FULL, {})
    assert "выручка" in figures(cluster)[1].layout.title.text


def test_a_bonus_date_outside_the_period_is_explained(services):
    body = MigrationCallbacks(services).update(ids.TAB_MIGRATION, "2021-03-01", "region", "clients", *HALF, {})
    assert "вне периода" in text(body) and figures(body) == []


def test_a_hidden_tab_computes_nothing_and_pins_change_the_result(services):
    callbacks = MigrationCallbacks(services)
    assert callbacks.update(ids.TAB_CLIENTS, "2022-01-15", "region", "clients", *FULL, {}) is None
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
