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
