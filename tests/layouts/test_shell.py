"""The page opened with the address's state, and the «Справка» panel — pure renderers."""

from __future__ import annotations

from core.db import DataSource
from dashboard import ids
from dashboard.services.page_state import PageState
from dashboard.services.shell import PageView
from layouts import shell
from layouts.help import help_panel
from tests.support.components import find, text
from tests.support.tree import tree_nodes


def page() -> PageView:
    import datetime as dt

    source = DataSource(
        url="duckdb:///x",
        version="1",
        cheques=10,
        first_datetime=dt.datetime(2021, 7, 1),
        last_datetime=dt.datetime(2022, 6, 30),
    )
    return PageView(source, None, "тест")


def test_the_page_opens_with_the_addresss_tab_period_segment_and_filters():
    state = PageState(ids.TAB_FINAL, "2022-01-01", "2022-03-31", "r110", ("Аптека 11",), {"r": (1, 2)})
    root = shell.layout(page(), state)
    assert find(root, ids.SHELL.TABS).active_tab == ids.TAB_FINAL
    period = find(root, ids.HEADER.PERIOD)
    assert (period.start_date, period.end_date) == ("2022-01-01", "2022-03-31")
    assert (period.min_date_allowed, period.max_date_allowed) == ("2021-07-01", "2022-06-30")
    assert find(root, ids.FINAL.SELECTION).data == "r110"
    assert "110 VIP" in text(find(root, ids.FINAL.BREADCRUMB))
    assert "rfma-tree-selected" in tree_nodes(find(root, ids.FINAL.TREE))["r110"].classes
    shops = find(root, ids.FINAL.FILTER_SHOPS)
    assert shops.value == ["Аптека 11"] and shops.options == [{"label": "Аптека 11", "value": "Аптека 11"}]
    assert find(root, ids.FINAL.FILTER_R).value == [1, 2] and find(root, ids.FINAL.FILTER_F).value is None
    assert find(root, ids.MIGRATION.BONUS_DATE).date == "2022-02-14"  # the data's middle moved inside the period


def test_without_an_address_the_page_opens_all_data_on_the_first_tab():
    root = shell.layout(page())
    assert find(root, ids.SHELL.TABS).active_tab == ids.TAB_CLIENTS
    assert find(root, ids.HEADER.PERIOD).start_date == "2021-07-01"
    assert find(root, ids.FINAL.SELECTION).data == "all"
    assert find(root, ids.HEADER.HELP_BUTTON) is not None and find(root, ids.SHELL.HELP) is not None


def test_the_help_explains_the_codes_regions_and_clusters():
    body = text(help_panel())
    assert "F — частота" in body and "покупок за базовый интервал в r1 дней" in body
    assert "1121 — недавний, частый, средний чек, ветеран" in body
    assert "Прогрев" in body and "510 случайный гость" in body and "43 ушедший случайный гость → регион 510" in body
    assert "Наши лучшие клиенты" in body  # the region's recommended action


def test_every_dropdown_on_the_page_speaks_russian():
    import re

    from dash import dcc

    from layouts.components import DROPDOWN_LABELS
    from tests.support.components import walk

    dropdowns = [c for c in walk(shell.layout(page(), PageState())) if isinstance(c, dcc.Dropdown)]
    assert len(dropdowns) == 8  # «Финал»: pharmacies and R/F/M/A; «Когорты»: the pharmacy; «История»: snapshots A and B
    cyrillic = re.compile("[а-яё]", re.IGNORECASE)
    for box in dropdowns:
        assert cyrillic.search(box.placeholder), box.id
        assert box.labels == DROPDOWN_LABELS, box.id
    assert DROPDOWN_LABELS["no_options_found"] == "Нет вариантов"
    assert set(DROPDOWN_LABELS) == set(dcc.Dropdown.Labels.__annotations__)  # every text Dash 4 shows is ours
    assert all(cyrillic.search(label) for label in DROPDOWN_LABELS.values())
