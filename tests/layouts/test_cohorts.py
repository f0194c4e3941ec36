"""«Когорты»' layout and renderers: the skeleton's ids, the tree's own ids, the heatmap's keys and partial month, the
Pareto headlines and bands, the dynamics chart."""

from __future__ import annotations

import datetime as dt

from core.cohorts import CHAIN, month_index
from core.segment_tree import Segment
from dashboard import ids
from dashboard.figures.cohorts import cohort_heatmap, dynamics_chart
from dashboard.services.page_state import read_page_state
from layouts import shell
from layouts.cohorts import layout, render_cohorts, render_dynamics, render_pareto, render_pick
from tests.support.components import find, text
from tests.support.tree import tree_nodes

JULY = month_index(dt.date(2021, 7, 1))


def _ids(component) -> list:
    found = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if hasattr(node, "to_plotly_json"):
            if getattr(node, "id", None) is not None:
                found.append(node.id)
            walk(getattr(node, "children", None))

    walk(component)
    return found


def test_the_skeleton_holds_every_part_and_its_tree_reports_clicks_to_its_own_store():
    root = layout("r110")
    for part in (ids.COHORTS.HEATMAP, ids.COHORTS.LTV, ids.COHORTS.PARETO, ids.COHORTS.DYNAMICS, ids.COHORTS.PICK_GRID):
        assert find(root, part) is not None, part
    assert find(root, ids.COHORTS.SELECTION).data == "r110"
    holder = find(root, ids.COHORTS.TREE)
    # assets/tree.js sends a node's click to the store the holder names: never «Финал»'s
    assert getattr(holder, "data-click-store") == ids.COHORTS.TREE_CLICK
    assert find(root, ids.COHORTS.TREE_CLICK) is not None
    assert "rfma-tree-selected" in tree_nodes(holder)["r110"].classes
    forms = {i["tab"] for i in _ids(root) if isinstance(i, dict) and i["type"] == ids.CAMPAIGN_FORM_TYPE}
    assert forms == {"cohorts"}  # «Создать кампанию» beside the pick's «Скачать CSV», its own ids


def test_the_tab_follows_migration_and_its_address_is_read():
    names = [tab for tab, _ in shell.TABS]
    assert names.index(ids.TAB_COHORTS) == names.index(ids.TAB_MIGRATION) + 1
    assert dict(shell.TABS)[ids.TAB_COHORTS] == "Когорты"
    state = read_page_state({"tab": "cohorts"}, ("2021-07-01", "2022-06-30"))
    assert state.tab == ids.TAB_COHORTS


def test_the_heatmap_carries_the_keys_of_its_cells_and_sizes(services, full):
    view = services.cohorts.cohorts(full, Segment.parse("r110"))
    _, figure, note, ltv = render_cohorts(view, "retention")
    sizes, heat = figure.data
    assert sizes.customdata[0] == "cell|r110|2021-07|size"
    assert heat.customdata[0][0] == "cell|r110|2021-07|0" and heat.customdata[0][2] == "cell|r110|2021-07|2"
    assert heat.text[0][0] == "100\u00a0%"  # retention at k = 0
    assert "когорт" in text(note) and len(ltv.data) >= 1


def test_a_partial_month_is_marked_in_the_heatmap_and_the_dynamics(services):
    request = services.requests.build("2021-07-01", "2022-06-15")
    view = services.cohorts.cohorts(request, Segment())
    _, figure, note, _ = render_cohorts(view, "revenue")
    heat = figure.data[1]
    assert all(row[-1].endswith("*") or row[-1] == "" for row in heat.text)
    assert heat.text[0][-1].endswith("*") and "неполный месяц (15 дней)" in text(note).replace("\u00a0", " ")
    dynamics = services.cohorts.dynamics(request)
    chart = dynamics_chart(dynamics.of(CHAIN), CHAIN, dynamics.partial_days)
    assert chart.data[0].marker.pattern.shape[-1] == "/" and chart.data[0].marker.pattern.shape[0] == ""
    assert any("неполный месяц" in a.text for a in chart.layout.annotations)


def test_the_pareto_headlines_and_bands(services, full):
    headlines, figure, bands = render_pareto(services.cohorts.pareto(full))
    assert "20\u00a0% клиентов приносят 53,5\u00a0% выручки" in text(headlines)
    assert "80\u00a0% выручки приносят 45,8\u00a0% клиентов" in text(headlines)
    buttons = [i for i in _ids(bands) if isinstance(i, dict)]
    assert [b["band"] for b in buttons] == [1, 2, 3, 4, 5]
    assert set(figure.data[0].customdata) == {f"band|{j}" for j in range(1, 6)}


def test_the_dynamics_chart_stacks_three_kinds_and_draws_lapsed_as_a_line(services, full):
    view = services.cohorts.dynamics(full)
    figure, note = render_dynamics(view, "Аптека 11")
    kinds = [trace.type for trace in figure.data]
    assert kinds == ["bar", "bar", "bar", "scatter"] and figure.layout.barmode == "stack"
    assert figure.data[0].customdata[0] == "bar|2021-07|Аптека 11|new"
    assert figure.data[3].customdata[0] == "bar|2021-07|Аптека 11|lapsed"
    assert "r3 =" in text(note)
    unknown, _ = render_dynamics(view, "Аптека 99")  # a pharmacy of another period: the chain
    assert "Вся сеть" in unknown.layout.title.text


def test_an_empty_cohort_table_says_why():
    import pandas as pd

    from core.cohorts import CELL_COLUMNS

    figure = cohort_heatmap(pd.DataFrame(columns=CELL_COLUMNS), "retention", "all", None)
    assert "нет когорт" in figure.layout.annotations[0].text


def test_the_count_line_says_how_many_are_not_listed(services):
    from dashboard.services.cohorts import Pick, PickView

    line = render_pick(PickView(Pick.parse("band|1"), 10, 7, 1234.5))
    assert "10 клиентов" in text(line) and "в таблице 7" in text(line) and "у 3 клиентов нет покупок" in text(line)


def test_the_heatmap_and_the_sizes_read_the_cohorts_top_down_on_both_axes(services, full):
    view = services.cohorts.cohorts(full, Segment())
    figure = render_cohorts(view, "retention")[1]
    axes = [figure.layout[name] for name in ("yaxis", "yaxis2")]
    assert all(axis.autorange == "reversed" for axis in axes)  # else the heatmap's rows run bottom-up
