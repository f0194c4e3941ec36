"""Tab «История»: «Сохранить снимок», the list of snapshots, segment sizes over them, the migration between two of
them (the Sankey and matrix renderers of «Миграция», clickable to the flow's clients with «Скачать CSV»), who
entered or left each segment (each count opens its clients), and «История сегментов» of the client card."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from core import formatting as fmt
from core.history import ENTERED, LEFT
from core.migration import Flow
from core.segments import segment_color, segment_label
from dashboard import ids
from dashboard.appdb.chain_thresholds import describe_pins
from dashboard.appdb.snapshots import Snapshot
from dashboard.figures import history as charts
from dashboard.figures import migration as migration_charts
from dashboard.figures.common import message_figure
from dashboard.services.history import Change, HistoryView, PairView, snapshot_title
from layouts import campaign_form
from layouts.components import control, dropdown, graph, kpi, loading, message, switch
from layouts.final_grid import client_grid
from layouts.migration import render_matrix

CAMPAIGN_FORMS = {"flow": "history_flow", "change": "history_change"}  # «Создать кампанию»'s tab name per list
SIZE_LEVELS = (("region", "Регионы"), ("cluster", "Кластеры"))
PAIR_LEVELS = (("region", "Регионы"), ("cluster", "Кластеры"), ("class", "Классы"))
LEVEL_NAMES = {"region": "регион", "cluster": "кластер", "class": "класс"}
LEVEL_PLURAL = {"region": "регионам", "cluster": "кластерам", "class": "классам"}
NO_SIZES = message_figure("График появится, когда будет сохранён хотя бы один снимок.")
NO_SANKEY = message_figure("Диаграмма появится, когда будут выбраны два разных снимка.")
FLOW_PROMPT = "Нажмите на поток в диаграмме или на число в матрице, чтобы увидеть клиентов этого потока."
CHANGE_PROMPT = "Нажмите на число «вошли» или «вышли», чтобы увидеть этих клиентов."
SAVE_HELP = (
    "Снимок сохраняет классификацию выбранного периода — класс, кластер и регион каждого клиента — с датой анализа "
    "и порогами в силе (набор сети или ваш черновик). Снимок того же периода с теми же порогами заменяет прежний."
)
FLOW_GRID_COLUMNS = [
    ("card", 150, None, None),
    ("source_region", 105, None, None),
    ("source_cluster", 110, None, None),
    ("source_class", 100, None, None),
    ("region", 100, None, None),
    ("cluster", 105, None, None),
    ("class", 95, None, None),
]
FLOW_HEADERS = {
    "source_region": "Регион в A",
    "source_cluster": "Кластер в A",
    "source_class": "Класс в A",
    "region": "Регион в B",
    "cluster": "Кластер в B",
    "class": "Класс в B",
}
CHANGE_GRID_COLUMNS = [
    ("card", 150, None, None),
    ("segment", 110, None, None),
    ("change", 110, None, None),
    ("source", 130, None, None),
    ("destination", 130, None, None),
]


def _client_list(
    title: str, count_id, prompt, button_id, link_id, message_id, grid_id, columns, headers=None, form: str = ""
):
    return dbc.Card(
        dbc.CardBody(
            [
                html.H5(title, className="card-title"),
                html.Div(prompt, id=count_id, className="mb-2"),
                html.Div(
                    [
                        dbc.Button("Скачать CSV", id=button_id, color="primary", size="sm"),
                        campaign_form.open_button(form),
                        campaign_form.modal(form),
                        dcc.Store(id=link_id),  # the streamed CSV's link, opened clientside
                    ],
                    className="d-flex flex-wrap align-items-center gap-3 mb-2",
                ),
                loading(html.Div(id=message_id)),
                client_grid(grid_id, columns, filters=False, headers=headers),
            ]
        ),
        className="mb-3",
    )


def layout() -> html.Div:
    """The skeleton: the save button, the list, the sizes chart, the two snapshots' choosers and the lists;
    callbacks.history fills them."""
    snapshots = dbc.Card(
        dbc.CardBody(
            [
                html.H5("Снимки сегментов", className="card-title"),
                html.P(SAVE_HELP, className="text-muted small"),
                dbc.Button("Сохранить снимок", id=ids.HISTORY.SAVE, color="primary", className="mb-2"),
                loading(html.Div(id=ids.HISTORY.SAVE_MESSAGE)),
                loading(html.Div(id=ids.HISTORY.LIST)),
            ]
        ),
        className="mb-3",
    )
    sizes = dbc.Card(
        dbc.CardBody(
            [
                switch(ids.HISTORY.SIZES_LEVEL, SIZE_LEVELS, "region"),
                loading(graph(NO_SIZES, ids.HISTORY.SIZES)),
            ]
        ),
        className="mb-3",
    )
    choosers = dbc.Card(
        dbc.CardBody(
            [
                html.H5("Сравнение двух снимков", className="card-title"),
                dbc.Row(
                    [
                        control("Снимок A (было)", dropdown(ids.HISTORY.BEFORE, "снимок A", clearable=False)),
                        control("Снимок B (стало)", dropdown(ids.HISTORY.AFTER, "снимок B", clearable=False)),
                        control("Уровень", switch(ids.HISTORY.LEVEL, PAIR_LEVELS, "region")),
                    ],
                    className="g-3",
                ),
            ]
        ),
        className="mb-3",
    )
    flow = _client_list(
        "Клиенты потока",
        ids.HISTORY.FLOW_COUNT,
        FLOW_PROMPT,
        ids.HISTORY.FLOW_CSV_BUTTON,
        ids.HISTORY.FLOW_CSV_LINK,
        ids.HISTORY.FLOW_EXPORT_MESSAGE,
        ids.HISTORY.FLOW_GRID,
        FLOW_GRID_COLUMNS,
        FLOW_HEADERS,
        CAMPAIGN_FORMS["flow"],
    )
    changes = _client_list(
        "Вошли и вышли",
        ids.HISTORY.CHANGE_COUNT,
        CHANGE_PROMPT,
        ids.HISTORY.CHANGE_CSV_BUTTON,
        ids.HISTORY.CHANGE_CSV_LINK,
        ids.HISTORY.CHANGE_EXPORT_MESSAGE,
        ids.HISTORY.CHANGE_GRID,
        CHANGE_GRID_COLUMNS,
        form=CAMPAIGN_FORMS["change"],
    )
    return html.Div(
        [
            dcc.Store(id=ids.HISTORY.VERSION, data=0),
            dcc.Store(id=ids.HISTORY.FLOW),  # the selected flow's key ('region|110|410')
            dcc.Store(id=ids.HISTORY.CHANGE),  # the selected list's key ('region|110|entered')
            snapshots,
            sizes,
            choosers,
            loading(html.Div(id=ids.HISTORY.PAIR, className="rfma-body")),
            loading(graph(NO_SANKEY, ids.HISTORY.SANKEY)),
            html.Div(id=ids.HISTORY.MATRIX),
            flow,
            html.Div(id=ids.HISTORY.CHANGES),
            changes,
        ]
    )


def _thresholds_text(snapshot: Snapshot) -> str:
    used = ", ".join(f"{name} = {fmt.threshold(value)}" for name, value in snapshot.thresholds.items())
    pinned = describe_pins(snapshot.pins)
    return f"{used} ({'закреплены: ' + pinned if snapshot.pins else pinned})"


def render_list(view: HistoryView) -> html.Div:
    """The snapshots as a table, oldest analysis date first; a prompt when there is none."""
    if not view.snapshots:
        return message("Снимков пока нет: нажмите «Сохранить снимок», чтобы сохранить текущую классификацию.", "info")
    head = html.Thead(
        html.Tr(
            [html.Th(t) for t in ("№", "На дату", "Период", "Клиентов", "Пороги", "Сохранил", "Когда (UTC)", "Откуда")]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(str(s.id)),
                html.Td(fmt.date(s.as_of)),
                html.Td(f"{fmt.date(s.date_from)} – {fmt.date(s.date_to)}"),
                html.Td(fmt.integer(s.clients)),
                html.Td(_thresholds_text(s), className="small"),
                html.Td(s.made_by),
                html.Td(fmt.date_time(s.made_at)),
                html.Td(s.origin),
            ],
            className="rfma-snapshot",
        )
        for s in view.snapshots
    ]
    count = fmt.count(len(view.snapshots), "снимок", "снимка", "снимков")
    return html.Div(
        [
            html.Div(f"Сохранено: {count}.", className="rfma-group-title"),
            html.Div(
                html.Table([head, html.Tbody(rows)], className="table table-sm mb-0"), className="rfma-matrix-scroll"
            ),
        ]
    )


def sizes_figure(view: HistoryView, level: str) -> go.Figure:
    """The sizes chart of a level (a message figure before the first snapshot)."""
    table = view.sizes.get(level)
    if table is None or table.empty:
        return NO_SIZES
    return charts.sizes_over_snapshots(table, level)


def snapshot_options(view: HistoryView) -> list[dict]:
    """The choosers' options: every snapshot by number, date and size."""
    return [{"label": snapshot_title(s), "value": s.id} for s in view.snapshots]


def _sides(view: PairView) -> tuple[str, str]:
    return f"в снимке A (на {fmt.date(view.before.as_of)})", f"в снимке B (на {fmt.date(view.after.as_of)})"


def render_pair(view: PairView, level: str) -> tuple[html.Div, go.Figure, html.Div, html.Div]:
    """(the comparison's summary, the Sankey, the matrix, the entered / left table) of one level."""
    a, b = view.before, view.after
    cards = dbc.Row(
        [
            kpi("Снимок A", fmt.date(a.as_of), fmt.count(a.clients, *fmt.CLIENTS)),
            kpi("Снимок B", fmt.date(b.as_of), fmt.count(b.clients, *fmt.CLIENTS)),
            kpi("Новые в B", fmt.integer(view.new), "не было в снимке A"),
            kpi("Нет в B", fmt.integer(view.gone), "были в снимке A (в матрицу не входят)"),
        ],
        className="g-3 mb-2",
    )
    notes = []
    if a.as_of > b.as_of:
        notes.append(message("Снимок A позже снимка B: потоки показаны от A к B, как выбрано.", "info"))
    if a.thresholds != b.thresholds:
        notes.append(
            html.P(
                "Снимки классифицированы разными порогами: часть переходов — следствие смены порогов, а не поведения "
                "клиентов.",
                className="text-muted small",
            )
        )
    before, after = _sides(view)
    sankey = migration_charts.migration_sankey(
        view.sankeys[level],
        level,
        "clients",
        sides=(f"снимок A · {fmt.date(a.as_of)}", f"снимок B · {fmt.date(b.as_of)}"),
        title="Переходы между снимками: A → B (нажмите на поток)",
    )
    matrix = render_matrix(view.tables[level], level, "clients", cell_id=ids.history_flow, sides=(before, after))
    return html.Div([cards, *notes]), sankey, matrix, render_changes(view, level)


def render_changes(view: PairView, level: str) -> html.Div:
    """Per segment: how many clients entered it and how many left it between A and B, each count a button."""
    counts = view.counts[level]
    caption = html.Div(
        f"Кто вошёл в сегмент и кто вышел из него между снимком A ({fmt.date(view.before.as_of)}) и снимком B "
        f"({fmt.date(view.after.as_of)}), по {LEVEL_PLURAL[level]}. Нажмите на число, чтобы открыть список.",
        className="rfma-group-title",
    )
    if counts.empty:
        return html.Div([caption, message("Между этими снимками никто не сменил сегмент.", "info")])
    head = html.Thead(html.Tr([html.Th(LEVEL_NAMES[level].capitalize()), html.Th("Вошли"), html.Th("Вышли")]))
    rows = []
    for segment, entered, left in zip(counts["segment"], counts[ENTERED], counts[LEFT], strict=True):
        code = str(segment)
        cells = [html.Th(segment_label(level, code), style={"color": segment_color(level, code)})]
        for change, amount in ((ENTERED, int(entered)), (LEFT, int(left))):
            if amount == 0:
                cells.append(html.Td("0", className="text-muted"))
                continue
            key = Change(level, code, change)
            cells.append(
                html.Td(
                    html.Button(
                        fmt.integer(amount),
                        id=ids.history_change(key.key),
                        className="rfma-flow-cell",
                        title=f"{key.label}: открыть список",
                    )
                )
            )
        rows.append(html.Tr(cells))
    table = html.Table([head, html.Tbody(rows)], className="table table-sm rfma-matrix mb-0")
    return html.Div([caption, html.Div(table, className="rfma-matrix-scroll")], className="mb-3")


def render_flow_count(flow: Flow, clients: int) -> html.Span:
    """The count line above a flow's clients."""
    return html.Span(html.B(f"{flow.label}: {fmt.count(clients, *fmt.CLIENTS)}"))


def render_change_count(change: Change, clients: int) -> html.Span:
    """The count line above an entered / left list."""
    return html.Span(html.B(f"{change.label.capitalize()}: {fmt.count(clients, *fmt.CLIENTS)}"))


def render_client_path(path: pd.DataFrame) -> html.Div:
    """«История сегментов» of the client card: the client's region, cluster and class in every snapshot."""
    title = html.H6("История сегментов", className="mt-3")
    if path.empty:
        return html.Div(
            [title, html.P("Этого клиента нет ни в одном сохранённом снимке (вкладка «История»).", className="small")],
            id=ids.HISTORY.CLIENT_PATH,
        )
    head = html.Thead(html.Tr([html.Th(t) for t in ("Снимок", "На дату", "Регион", "Кластер", "Класс")]))
    rows = [
        html.Tr(
            [
                html.Td(f"№{int(row.snapshot_id)}"),
                html.Td(fmt.date(row.as_of)),
                html.Td(segment_label("region", str(row.region))),
                html.Td(segment_label("cluster", str(row.cluster))),
                html.Td(str(row["class"])),
            ]
        )
        for _, row in path.iterrows()
    ]
    return html.Div(
        [title, html.Table([head, html.Tbody(rows)], className="table table-sm mb-0")], id=ids.HISTORY.CLIENT_PATH
    )
