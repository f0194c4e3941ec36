"""«Миграция» renderer: the four shares with correct plurals, warnings, the Sankey, the flow matrix (row totals,
«осталось %», a button per flow) and the flow's count line."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from core.migration import Flow, flow_table
from dashboard import ids
from dashboard.services.migration import FlowView
from layouts.migration import FLOW_GRID_COLUMNS, layout, render_flow, render_matrix, render_migration
from tests.support.components import find, text, walk


def test_shares_in_russian_with_plurals_a_sankey_and_the_matrix(services, full):
    view = services.migration.view(full, "2022-01-15")
    shares = view.shares | {"warmed": 1, "stayed": 3, "cooled": 11, "returning": 21}
    body, sankey, matrix = render_migration(
        dataclasses.replace(view, shares=shares, warnings=("Предупреждение",)), "region", "clients"
    )
    assert "1 клиент" in text(find(body, ids.MIGRATION.SHARES))
    assert "3 клиента" in text(body) and "11 клиентов" in text(body) and "среди 21 клиента" in text(body)
    assert "Предупреждение" in text(body)
    assert type(sankey.data[0]).__name__ == "Sankey" and "осталось %" in text(matrix)


def test_the_thresholds_used_are_named_and_the_sankey_always_shows_clients(services, full):
    view = services.migration.view(full, "2022-01-15")
    by_clients = render_migration(view, "region", "clients")
    by_revenue = render_migration(view, "region", "revenue_after")
    assert f"r1 = {view.thresholds['r1']:g}" in text(find(by_revenue[0], ids.MIGRATION.THRESHOLDS))
    assert list(by_revenue[1].data[0].link.value) == list(by_clients[1].data[0].link.value)
    assert "выручка" in text(by_revenue[2]) and "(клиенты)" in text(by_clients[2])


def test_the_class_level_draws_the_largest_flows_and_says_how_many_are_merged(services, full):
    view = services.migration.view(full, "2022-01-15")
    body, figure, _ = render_migration(view, "class", "clients")
    sankey = figure.data[0]
    merged = len(view.matrices["class"]) - 15
    assert len(sankey.link.value) == 16 and "прочие" in sankey.node.label
    assert merged == 117 and "остальные 117 потоков объединены" in text(body)
    assert "объединены" not in text(render_migration(view, "region", "clients")[0])


def matrix_of(rows):
    return pd.DataFrame(rows, columns=["source_region", "destination_region", "clients", "revenue_after"])


def test_the_matrix_has_row_totals_stayed_shares_and_a_button_per_flow():
    table = flow_table(
        matrix_of([("110", "110", 3, 30.0), ("110", "410", 1, 0.0), ("новый", "110", 1500, 5.0)]), "region"
    )
    matrix = render_matrix(table, "region", "clients")
    rows = [c for c in walk(matrix) if type(c).__name__ == "Tr"]
    assert [text(c) for c in rows[0].children] == ["до \\ после", "110 VIP", "410 ушедший VIP", "Всего", "осталось %"]
    assert [text(c) for c in rows[1].children] == ["110 VIP", "3", "1", "4", "75,0\u00a0%"]
    assert [text(c) for c in rows[2].children] == ["новый", "1\u00a0500", "", "1\u00a0500", "—"]
    buttons = [c for c in walk(matrix) if type(c).__name__ == "Button"]
    assert [b.id for b in buttons] == [
        ids.migration_flow("region|110|110"),
        ids.migration_flow("region|110|410"),
        ids.migration_flow("region|new|110"),  # ASCII: a Cyrillic pattern id never reaches the server
    ]
    assert buttons[1].title == "110 VIP → 410 ушедший VIP: открыть клиентов потока"


def test_the_flow_count_line_names_the_flow_in_russian():
    line = render_flow(FlowView(Flow("region", "110", "410"), dt.date(2022, 1, 15), 21, 12345.0))
    assert text(line).replace("  ", " ") == (
        "110 VIP → 410 ушедший VIP: 21 клиент · выручка после бонус-даты 12\u00a0345\u00a0₽ · бонус-дата 15.01.2022"
    )


def test_the_flow_table_shows_where_clients_were_and_their_revenue_after():
    grid = find(layout("2021-07-01", "2022-06-30", "2022-01-15"), ids.MIGRATION.FLOW_GRID)
    fields = [c["field"] for c in grid.columnDefs]
    assert fields[:4] == ["card", "source_region", "source_cluster", "source_class"]
    assert fields[fields.index("revenue") + 1] == "revenue_after" and "filter" not in grid.columnDefs[0]
    assert len(fields) == len(FLOW_GRID_COLUMNS) == len(set(fields))


def test_flow_counts_take_the_russian_plural():
    from layouts.migration import other_flows, top_flows

    assert top_flows(15) == "15 крупнейших потоков"
    assert top_flows(21) == "21 крупнейший поток"
    assert top_flows(3) == "3 крупнейших потока"
    assert other_flows(2) == "остальные 2 потока объединены"
    assert other_flows(117) == "остальные 117 потоков объединены"
    assert other_flows(31) == "остальной 31 поток объединён"
