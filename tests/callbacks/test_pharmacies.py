"""«Аптеки» callbacks called as Dash calls them, inside a Flask request."""

from __future__ import annotations

from callbacks.pharmacies import PharmaciesCallbacks
from dashboard import ids
from tests.support.chain import CLOSED_SHOP
from tests.support.components import figures, find, text
from tests.support.dashboard import EMPTY, FULL


def test_the_tab_has_four_charts_a_table_and_notes_the_closed_pharmacy(services):
    body = PharmaciesCallbacks(services).update(ids.TAB_PHARMACIES, *FULL)
    assert len(figures(body)) == 4
    assert "Аптека 10" in text(find(body, ids.PHARMACIES.TABLE))
    assert f"(видимо, закрыта): {CLOSED_SHOP}." in text(body)


def test_a_hidden_tab_computes_nothing_and_an_empty_period_says_why(services):
    callbacks = PharmaciesCallbacks(services)
    assert callbacks.update(ids.TAB_CLIENTS, *FULL) is None
    body = callbacks.update(ids.TAB_PHARMACIES, *EMPTY)
    assert "нет ни одного чека" in text(body) and figures(body) == []
