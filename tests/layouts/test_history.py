"""«История»'s layout and renderers: the skeleton's ids, the list, the sizes chart, the pair (reusing «Миграция»'s
Sankey and matrix with «История»'s ids and side names), the entered / left table, the client's path."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core import history as core_history
from dashboard import ids
from dashboard.appdb.snapshots import Snapshot
from dashboard.services.history import HistoryView, PairView
from layouts import history
from layouts.migration import flow_key
from layouts.shell import TABS
from tests.support.components import find, text, walk


def snapshot(number: int, as_of: dt.date, clients: int, pins=None) -> Snapshot:
    return Snapshot(
        number, dt.date(2021, 7, 1), as_of, as_of, r"^\d+$", "summ_with_disc",
        {"r1": 21, "r2": 61, "r3": 105}, pins or {}, clients, "анна", dt.datetime(2022, 7, 1, 9, 30), "панель",
    )  # fmt: skip


A, B = snapshot(1, dt.date(2021, 12, 31), 4), snapshot(2, dt.date(2022, 6, 30), 4, {"r1": 21})
BEFORE = pd.DataFrame(
    [("1", "1111", 11, 110), ("2", "1112", 11, 110), ("3", "4333", 43, 510), ("4", "2123", 22, 210)],
    columns=core_history.SNAPSHOT_COLUMNS,
)
AFTER = pd.DataFrame(
    [("1", "1111", 11, 110), ("2", "4111", 41, 410), ("3", "1213", 12, 210), ("5", "1223", 12, 210)],
    columns=core_history.SNAPSHOT_COLUMNS,
)


def pair_view() -> PairView:
    from core.migration import flow_table

    flows = core_history.snapshot_flows(BEFORE, AFTER)
    matrices = {lv: core_history.flow_matrix(flows, lv) for lv in core_history.LEVELS}
    return PairView(
        A,
        B,
        matrices,
        {lv: flow_table(m, lv, "clients") for lv, m in matrices.items()},
        {lv: core_history.sankey_flows(m, lv) for lv, m in matrices.items()},
        {lv: core_history.change_counts(core_history.entered_left(BEFORE, AFTER, lv), lv) for lv in matrices},
        new=1,
        gone=1,
    )


def test_the_tab_follows_cohorts_and_its_skeleton_holds_every_id():
    labels = [label for _, label in TABS]
    assert labels == ["Клиенты", "Аптеки", "Пороги", "Финал", "Миграция", "Когорты", "История", "Кампании"]
    page = history.layout()
    present = [getattr(node, "id", None) for node in walk(page)]
    for name in ("SAVE", "LIST", "SIZES", "BEFORE", "AFTER", "SANKEY", "MATRIX", "FLOW_GRID", "CHANGE_GRID"):
        assert getattr(ids.HISTORY, name) in present
    assert "Сохранить снимок" in text(page)
    for tab in ("history_flow", "history_change"):  # «Создать кампанию» beside each list's «Скачать CSV»
        assert ids.campaign_form("open", tab) in present and ids.campaign_form("create", tab) in present


def test_the_list_names_each_snapshot_and_a_prompt_comes_first():
    assert "Снимков пока нет" in text(history.render_list(HistoryView((), {})))
    shown = text(history.render_list(HistoryView((A, B), {})))
    assert "Сохранено: 2 снимка" in shown and "31.12.2021" in shown and "01.07.2022 09:30" in shown
    assert "закреплены: r1 = 21" in shown and "все пороги предложены по данным" in shown
    assert history.snapshot_options(HistoryView((A, B), {}))[1] == {
        "label": "№2 · на 30.06.2022 · 4 клиента",
        "value": 2,
    }


def test_the_sizes_chart_has_a_line_per_segment_or_a_message():
    sizes = pd.concat(
        [
            core_history.segment_sizes(BEFORE).assign(snapshot_id=1, as_of=A.as_of),
            core_history.segment_sizes(AFTER).assign(snapshot_id=2, as_of=B.as_of),
        ]
    )
    view = HistoryView((A, B), {"region": core_history.sizes_over_snapshots(sizes, "region")})
    figure = history.sizes_figure(view, "region")
    assert [t.name for t in figure.data] == ["110 VIP", "210 середняк", "410 ушедший VIP", "510 случайный гость"]
    assert list(figure.data[1].y) == [1, 2] and list(figure.data[0].x) == ["№1 · 31.12.2021", "№2 · 30.06.2022"]
    assert history.sizes_figure(HistoryView((), {}), "region") is history.NO_SIZES


def test_the_pair_reuses_migration_s_renderers_with_history_s_ids_and_sides():
    body, sankey, matrix, changes = history.render_pair(pair_view(), "region")
    assert "Новые в B" in text(body) and "Снимки классифицированы разными порогами" not in text(body)
    assert [a.text for a in sankey.layout.annotations] == ["снимок A · 31.12.2021", "снимок B · 30.06.2022"]
    assert "Строки — регион в снимке A (на 31.12.2021), столбцы — в снимке B (на 30.06.2022)" in text(matrix)
    cells = [n.id for n in walk(matrix) if isinstance(getattr(n, "id", None), dict)]
    assert ids.history_flow("region|110|410") in cells and all(c["type"] == ids.HISTORY_FLOW_TYPE for c in cells)
    assert ids.history_flow("region|new|210") in cells  # ASCII ids: Cyrillic ones never reach the server
    assert flow_key("region|new|210") == "region|новый|210"
    counts = [n.id["change"] for n in walk(changes) if isinstance(getattr(n, "id", None), dict)]
    assert sorted(counts) == sorted(
        ["region|110|left", "region|210|entered", "region|210|left", "region|410|entered", "region|510|left"]
    )


def test_the_client_s_path_is_a_table_or_a_sentence():
    rows = pd.DataFrame([(1, dt.date(2021, 12, 31), "4333", 43, 510)], columns=core_history.PATH_COLUMNS)
    shown = history.render_client_path(rows)
    assert find(shown, ids.HISTORY.CLIENT_PATH) is not None and "510 случайный гость" in text(shown)
    assert "43 ушедший случайный гость" in text(shown) and "31.12.2021" in text(shown)
    assert "нет ни в одном сохранённом снимке" in text(history.render_client_path(rows.iloc[:0]))
