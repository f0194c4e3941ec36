"""Tab «Финал»: the segment tree and its client list (table, CSV, report, RFM scatter), a client lookup by card,
then regions, clusters, the 108 classes and recommendations."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from core import formatting as fmt
from core.segment_tree import ALL, segment_tree
from core.segments import AGE_NAMES, FREQUENCY_NAMES, MONETARY_NAMES, RECENCY_NAMES
from dashboard import ids
from layouts.components import GRAPH_CONFIG, card, loading

_RU = (
    "params.value == null ? '' : Number(params.value).toLocaleString('ru-RU', "
    "{minimumFractionDigits: %d, maximumFractionDigits: %d})"
)


def _money(digits: int = 2) -> dict:
    return {"function": _RU % (digits, digits)}


# field, header, width, filter, formatter
CLIENT_COLUMNS = [
    ("card", "Карта", 120, "agTextColumnFilter", None),
    ("region", "Регион", 90, "agNumberColumnFilter", None),
    ("region_name", "Название региона", 150, "agTextColumnFilter", None),
    ("cluster", "Кластер", 95, "agNumberColumnFilter", None),
    ("cluster_name", "Название кластера", 170, "agTextColumnFilter", None),
    ("class", "Класс", 85, "agTextColumnFilter", None),
    ("class_name", "Описание класса", 280, "agTextColumnFilter", None),
    ("r", "R", 62, "agNumberColumnFilter", None),
    ("f", "F", 62, "agNumberColumnFilter", None),
    ("m", "M", 62, "agNumberColumnFilter", None),
    ("a", "A", 62, "agNumberColumnFilter", None),
    ("recency_days", "Давность, дн.", 120, "agNumberColumnFilter", None),
    ("age_days", "Возраст, дн.", 115, "agNumberColumnFilter", None),
    ("purchases", "Покупок", 100, "agNumberColumnFilter", None),
    ("frequency", "Частота F", 110, "agNumberColumnFilter", _money(3)),
    ("revenue", "Выручка, ₽", 125, "agNumberColumnFilter", _money(2)),
    ("avg_cheque", "Средний чек, ₽", 130, "agNumberColumnFilter", _money(2)),
    ("bonus_spent", "Бонусов списано", 130, "agNumberColumnFilter", _money(2)),
    ("shops", "Аптек", 85, "agNumberColumnFilter", None),
    ("first_date", "Первая покупка", 130, "agDateColumnFilter", None),
    ("last_date", "Последняя покупка", 140, "agDateColumnFilter", None),
]
PAGE_SIZE = 50


def client_grid() -> dag.AgGrid:
    """The client table: AG Grid's infinite row model with pagination; rows, sort and filters on the server."""
    column_defs = []
    for field, header, width, flt, formatter in CLIENT_COLUMNS:
        column = {
            "field": field,
            "headerName": header,
            "width": width,
            "filter": flt,
            "filterParams": {"maxNumConditions": 1, "debounceMs": 400},
        }
        if formatter:
            column["valueFormatter"] = formatter
            column["type"] = "rightAligned"
        if field == "card":
            column["pinned"] = "left"
        if field == "revenue":
            column["sort"] = "desc"
        column_defs.append(column)
    return dag.AgGrid(
        id=ids.FINAL.CLIENT_GRID,
        columnDefs=column_defs,
        defaultColDef={"sortable": True, "resizable": True},
        rowModelType="infinite",
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "rowHeight": 30,
            "headerHeight": 34,
            "animateRows": False,
            "localeText": GRID_LOCALE,
            "suppressCellFocus": True,
        },
        style={"height": "560px"},
        className="ag-theme-alpine",
    )


GRID_LOCALE = {
    "page": "Страница",
    "of": "из",
    "to": "—",
    "more": "ещё",
    "firstPage": "Первая",
    "lastPage": "Последняя",
    "nextPage": "Следующая",
    "previousPage": "Предыдущая",
    "loadingOoo": "Загрузка…",
    "noRowsToShow": "Нет клиентов",
    "filterOoo": "Значение…",
    "equals": "Равно",
    "notEqual": "Не равно",
    "lessThan": "Меньше",
    "greaterThan": "Больше",
    "lessThanOrEqual": "Меньше или равно",
    "greaterThanOrEqual": "Больше или равно",
    "inRange": "В диапазоне",
    "contains": "Содержит",
    "notContains": "Не содержит",
    "startsWith": "Начинается с",
    "endsWith": "Заканчивается на",
    "blank": "Пусто",
    "notBlank": "Не пусто",
    "andCondition": "И",
    "orCondition": "ИЛИ",
    "applyFilter": "Применить",
    "resetFilter": "Сбросить",
    "clearFilter": "Очистить",
    "inRangeStart": "от",
    "inRangeEnd": "до",
    "dateFormatOoo": "дд.мм.гггг",
}


def tree_node(node: str, label: str, count: str = "…", empty: bool = False) -> html.Button:
    """One clickable node of the list tree: its label and client count."""
    return html.Button(
        [html.Span(label, className="rfma-tree-label"), html.Span(count, className="rfma-tree-count")],
        id=ids.segment_node(node),
        n_clicks=0,
        title=label,
        type="button",
        className="rfma-tree-node" + (" rfma-tree-empty" if empty else ""),
    )


def tree_list(tree: pd.DataFrame, counts: bool = True) -> html.Div:
    """The list tree (like a file tree): all → warmth → region → cluster → class, each node with its client count.

    `tree` = core.segment_tree.segment_tree(...); with counts=False the counts show '…' (the page before data).
    Classes sit in a collapsed <details> under their cluster.
    """
    children: dict[str, list] = {}
    for row in tree.itertuples():
        children.setdefault(row.parent, []).append(row)

    def item(row) -> html.Li:
        count = fmt.integer(row.clients) if counts else "…"
        node = tree_node(row.id, row.label, count, empty=counts and row.clients == 0)
        kids = children.get(row.id, [])
        if row.level == "cluster":
            if not kids:
                return html.Li(node)
            return html.Li(html.Details([html.Summary(node), html.Ul([item(k) for k in kids])]))
        return html.Li([node, html.Ul([item(k) for k in kids])] if kids else node)

    return html.Div(html.Ul([item(root) for root in children.get("", [])]), className="rfma-tree-root")


def static_tree() -> html.Div:
    """The tree before the period's data arrives (fixed nodes, no counts)."""
    return tree_list(segment_tree(pd.DataFrame(columns=["card", "class", "revenue"])), counts=False)


def _grade_filter(component_id: str, title: str, names: dict) -> dbc.Col:
    return dbc.Col(
        dcc.Dropdown(
            id=component_id,
            options=[{"label": f"{title} {k} {v}", "value": k} for k, v in names.items()],
            multi=True,
            placeholder=f"{title}: все",
            clearable=True,
        ),
        xs=6,
        md=3,
        lg=True,
    )


def segment_section() -> html.Div:
    """The segment tree (list + sunburst), breadcrumb, filters, client table, downloads, breakdown and scatter."""
    tree = card(
        [html.Div(static_tree(), id=ids.FINAL.TREE, className="rfma-tree")],
        "Дерево сегментов",
        "rfma-tree-card h-100",
    )
    selection_head = html.Div(
        [
            html.Div(
                dbc.Breadcrumb(items=[{"label": "Все клиенты", "active": True}]),
                id=ids.FINAL.BREADCRUMB,
                className="rfma-breadcrumb flex-grow-1",
            ),
            dbc.Button("Сбросить", id=ids.FINAL.SEGMENT_RESET, color="secondary", outline=True, size="sm"),
        ],
        className="d-flex align-items-center gap-2 mb-2",
    )
    sunburst = dcc.Graph(id=ids.FINAL.SUNBURST, config=GRAPH_CONFIG, className="rfma-graph", style={"height": "460px"})
    filters = dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(
                    id=ids.FINAL.FILTER_SHOPS,
                    options=[],
                    multi=True,
                    placeholder="Аптеки: все (клиенты, покупавшие в выбранных)",
                ),
                xs=12,
                lg=3,
            ),
            _grade_filter(ids.FINAL.FILTER_R, "R", RECENCY_NAMES),
            _grade_filter(ids.FINAL.FILTER_F, "F", FREQUENCY_NAMES),
            _grade_filter(ids.FINAL.FILTER_M, "M", MONETARY_NAMES),
            _grade_filter(ids.FINAL.FILTER_A, "A", AGE_NAMES),
            dbc.Col(
                dbc.Input(
                    id=ids.FINAL.FILTER_CARD,
                    placeholder="поиск по карте",
                    type="text",
                    debounce=True,
                    autocomplete="off",
                ),
                xs=12,
                lg=2,
            ),
        ],
        className="g-2 mb-2",
    )
    downloads = html.Div(
        [
            html.Div(id=ids.FINAL.CLIENT_COUNT, className="fw-semibold me-auto"),
            dbc.RadioItems(
                id=ids.FINAL.CSV_FORMAT,
                options=[{"label": "Excel (;)", "value": "excel"}, {"label": "CSV (,)", "value": "csv"}],
                value="excel",
                inline=True,
                className="small",
            ),
            dbc.Button("Скачать CSV", id=ids.FINAL.CSV_BUTTON, color="primary", size="sm"),
            dbc.Button("Скачать отчёт", id=ids.FINAL.REPORT_BUTTON, color="primary", outline=True, size="sm"),
            dcc.Store(id=ids.FINAL.CSV_LINK),  # the streamed CSV's link; a clientside callback opens it
            dcc.Download(id=ids.FINAL.REPORT_DOWNLOAD),
        ],
        className="d-flex flex-wrap align-items-center gap-3 mb-2",
    )
    clients = card(
        [filters, downloads, loading(html.Div(id=ids.FINAL.EXPORT_MESSAGE)), client_grid()],
        "Клиенты выбранного сегмента",
    )
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(tree, lg=3),
                    dbc.Col(card([selection_head, sunburst]), lg=9),
                ],
                className="g-3 mb-3",
            ),
            loading(html.Div(id=ids.FINAL.SELECTION_SUMMARY)),
            clients,
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Graph(
                            id=ids.FINAL.SCATTER, config=GRAPH_CONFIG, className="rfma-graph", style={"height": "480px"}
                        ),
                        lg=8,
                    ),
                    dbc.Col(html.Div(id=ids.FINAL.BREAKDOWN), lg=4),
                ],
                className="g-3",
            ),
            dcc.Store(id=ids.FINAL.SELECTION, data=ALL, storage_type="memory"),
        ]
    )


def layout() -> html.Div:
    lookup = card(
        [
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.FINAL.CARD_INPUT,
                        placeholder="номер карты, например 100042",
                        type="text",
                        debounce=False,
                        autocomplete="off",
                    ),
                    dbc.Button("Найти", id=ids.FINAL.CARD_BUTTON, color="primary"),
                ],
                style={"maxWidth": "420px"},
            ),
            html.Div("Щелчок по точке на диаграмме RFM открывает клиента здесь.", className="small text-muted mt-1"),
            loading(html.Div(id=ids.FINAL.CARD_RESULT, className="pt-3")),
        ],
        title="Клиент по номеру карты",
    )
    return html.Div([segment_section(), lookup, loading(html.Div(id=ids.FINAL.BODY, className="rfma-body"))])
