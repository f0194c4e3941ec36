"""«Миграция» renderer: the four shares with correct plurals, warnings, the Sankey and the heatmap."""

from __future__ import annotations

import dataclasses

from dashboard import ids
from layouts.migration import render_migration
from tests.support.components import figures, find, text


def test_shares_in_russian_with_plurals_and_two_charts(services, full):
    view = services.migration.view(full, "2022-01-15")
    shares = view.shares | {"warmed": 1, "stayed": 3, "cooled": 11, "returning": 21}
    body = render_migration(dataclasses.replace(view, shares=shares, warnings=("Предупреждение",)), "region", "clients")
    assert "1 клиент" in text(find(body, ids.MIGRATION.SHARES))
    assert "3 клиента" in text(body) and "11 клиентов" in text(body) and "среди 21 клиента" in text(body)
    assert "Предупреждение" in text(body)
    assert [type(f.data[0]).__name__ for f in figures(body)] == ["Sankey", "Heatmap"]


def test_the_thresholds_used_are_named_and_the_sankey_always_shows_clients(services, full):
    view = services.migration.view(full, "2022-01-15")
    by_clients = render_migration(view, "region", "clients")
    by_revenue = render_migration(view, "region", "revenue_after")
    assert f"r1 = {view.thresholds['r1']:g}" in text(find(by_revenue, ids.MIGRATION.THRESHOLDS))
    sankey = next(f for f in figures(by_revenue) if type(f.data[0]).__name__ == "Sankey")
    same = next(f for f in figures(by_clients) if type(f.data[0]).__name__ == "Sankey")
    assert list(sankey.data[0].link.value) == list(same.data[0].link.value)  # the switch is the matrix's only
    heatmaps = [f for f in figures(by_revenue) + figures(by_clients) if type(f.data[0]).__name__ == "Heatmap"]
    assert "выручка" in heatmaps[0].layout.title.text and "клиенты" in heatmaps[1].layout.title.text
