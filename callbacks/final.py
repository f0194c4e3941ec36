"""Tab «Финал»: regions (chart, table, recommendations), clusters, the 108 classes and a client lookup."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL as ANY
from dash import Input, Output, State, ctx, dcc, html, no_update

from callbacks.common import error_message, safely
from core import formatting as fmt
from core.client_filter import ClientFilter, sample_clients
from core.segment_tree import ALL, Segment, breakdown
from core.segments import (
    AGE_NAMES,
    FREQUENCY_NAMES,
    MONETARY_NAMES,
    RECENCY_NAMES,
    REGION_RECOMMENDATIONS,
    WARMTH_NAMES,
)
from dashboard import downloads, figures, grid, ids
from dashboard.services import ClientCard, FinalView, current_services
from layouts.components import card, graph, kpi, message, table
from layouts.final import tree_list

SUMMARY_COLUMNS = {
    "clients": "Клиентов",
    "share": "Доля клиентов",
    "revenue": "Выручка, ₽",
    "revenue_share": "Доля выручки",
    "avg_cheque": "Средний чек, ₽",
    "mean_recency_days": "Ср. давность R, дн.",
    "mean_frequency": "Ср. частота F",
    "mean_avg_cheque": "Ср. чек клиента M, ₽",
    "mean_age_days": "Ср. возраст A, дн.",
    "bonus_spent_share": "Доля бонусов в выручке",
}
SUMMARY_FORMATS = {
    "clients": fmt.integer,
    "share": fmt.percent,
    "revenue": fmt.integer,
    "revenue_share": fmt.percent,
    "avg_cheque": lambda v: fmt.number(v, 2),
    "mean_recency_days": lambda v: fmt.number(v, 1),
    "mean_frequency": lambda v: fmt.number(v, 3),
    "mean_avg_cheque": lambda v: fmt.number(v, 2),
    "mean_age_days": lambda v: fmt.number(v, 1),
    "bonus_spent_share": lambda v: fmt.percent(v, 2),
    "warmth": lambda v: f"{v} {WARMTH_NAMES.get(int(v), '')}",
}
CLASS_COLUMNS = [
    ("r", "R", 60),
    ("f", "F", 60),
    ("m", "M", 60),
    ("a", "A", 60),
    ("class", "Класс", 90),
    ("clients", "Клиентов", 110),
    ("class_name", "Описание", 380),
    ("cluster", "Кластер", 100),
    ("region", "Регион", 100),
]


def class_grid(classes: pd.DataFrame) -> dag.AgGrid:
    """All 108 classes (empty ones too), sortable and filterable."""
    return dag.AgGrid(
        id=ids.FINAL.CLASS_TABLE,
        rowData=classes[[c for c, _, _ in CLASS_COLUMNS]].to_dict("records"),
        columnDefs=[
            {"field": c, "headerName": h, "width": w, "sortable": True, "filter": c in ("class", "class_name")}
            for c, h, w in CLASS_COLUMNS
        ],
        dashGridOptions={"rowHeight": 30, "headerHeight": 34, "animateRows": False},
        style={"height": "480px"},
        className="ag-theme-alpine",
    )


def recommendations(regions: pd.DataFrame):
    items = []
    for row in regions.itertuples():
        items.append(
            dbc.ListGroupItem(
                [
                    html.Div(
                        [
                            html.Span(f"{row.region} {row.region_name}", className="fw-semibold"),
                            dbc.Badge(
                                f"{fmt.integer(row.clients)} клиентов",
                                color="light",
                                text_color="dark",
                                className="ms-2",
                            ),
                            html.Span(
                                WARMTH_NAMES[int(row.warmth)],
                                className="badge ms-2",
                                style={"backgroundColor": figures.WARMTH_COLORS[int(row.warmth)]},
                            ),
                        ]
                    ),
                    html.Div(REGION_RECOMMENDATIONS[int(row.region)], className="small mt-1"),
                ]
            )
        )
    return dbc.ListGroup(items, id=ids.FINAL.RECOMMENDATIONS, flush=True)


def final_body(view: FinalView):
    regions = view.regions
    clusters = view.clusters
    t = view.thresholds
    thresholds_line = (
        f"Дата анализа {fmt.date(view.analysis_date)}; клиентов {fmt.integer(view.clients)}. Пороги: "
        + ", ".join(f"{k} = {fmt.threshold(v)}" for k, v in t.items())
    )
    return html.Div(
        [
            html.P(thresholds_line, className="text-muted small"),
            dbc.Row(
                [
                    dbc.Col(graph(figures.region_chart(regions), ids.FINAL.REGION_GRAPH), lg=6),
                    dbc.Col(
                        card(recommendations(regions), "Рекомендации маркетингу по регионам", "rfma-recommendations"),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            card(
                table(
                    regions,
                    {"region": "Регион", "region_name": "Название", "warmth": "Прогрев"} | SUMMARY_COLUMNS,
                    ids.FINAL.REGION_TABLE,
                    SUMMARY_FORMATS,
                ),
                "9 регионов",
            ),
            card(
                table(
                    clusters,
                    {"cluster": "Кластер", "cluster_name": "Название", "warmth": "Прогрев"} | SUMMARY_COLUMNS,
                    ids.FINAL.CLUSTER_TABLE,
                    SUMMARY_FORMATS,
                ),
                "16 кластеров",
            ),
            card(
                [
                    html.P(
                        f"Непустых классов: {int((view.classes['clients'] > 0).sum())} из 108.",
                        className="small text-muted",
                    ),
                    class_grid(view.classes),
                ],
                "108 классов RFMA",
            ),
        ]
    )


def update_final(active_tab, start, end, pins):
    if active_tab != ids.TAB_FINAL:
        return None
    return safely(lambda: final_body(current_services().final_view(start, end, pins)))


GRADE_LABELS = (
    ("r", "Recency", RECENCY_NAMES),
    ("f", "Frequency", FREQUENCY_NAMES),
    ("m", "Monetary", MONETARY_NAMES),
    ("a", "Age", AGE_NAMES),
)


def client_body(result: ClientCard):
    if result.row is None:
        return html.Div(
            [
                message(
                    f"У карты {result.card} есть чеки, но она не проходит шаблон идентифицированной карты.", "info"
                ),
            ]
        )
    row = result.row
    facts = [
        ("Первая покупка", fmt.date(row["first_date"])),
        ("Последняя покупка", fmt.date(row["last_date"])),
        ("Покупок", fmt.integer(row["purchases"])),
        ("Выручка", fmt.money(row["revenue"], 2)),
        ("Средний чек", fmt.money(row["avg_cheque"], 2)),
        ("Давность D", f"{fmt.integer(row['recency_days'])} дн."),
        ("Возраст A", f"{fmt.integer(row['age_days'])} дн."),
        ("Частота F", fmt.number(row["frequency"], 4)),
        ("Аптек", fmt.integer(row["shops"])),
        ("Бонусов начислено / списано", f"{fmt.number(row['bonus_earned'], 2)} / {fmt.number(row['bonus_spent'], 2)}"),
    ]
    grades = [f"{label}: {int(row[key])} {names[int(row[key])]}" for key, label, names in GRADE_LABELS]
    segment = [
        html.Div([html.Span("Класс ", className="text-muted"), html.B(row["class"]), f" — {row['class_name']}"]),
        html.Div(
            [html.Span("Кластер ", className="text-muted"), html.B(str(row["cluster"])), f" — {row['cluster_name']}"]
        ),
        html.Div(
            [
                html.Span("Регион ", className="text-muted"),
                html.B(str(row["region"])),
                f" — {row['region_name']} ({WARMTH_NAMES[int(row['warmth'])]})",
            ]
        ),
    ]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        html.Dl([item for k, v in facts for item in (html.Dt(k), html.Dd(v))], className="rfma-facts"),
                        md=5,
                    ),
                    dbc.Col([html.Div(segment, className="mb-2"), html.Ul([html.Li(g) for g in grades])], md=7),
                ]
            ),
            graph(figures.client_cheques(result.cheques, result.card), "final-client-cheques"),
        ],
        className="rfma-client",
    )


def lookup_card(_clicks, _submits, active_tab, start, end, pins, card_number):
    if active_tab != ids.TAB_FINAL:
        return no_update
    if not card_number or not str(card_number).strip():
        return html.Div("Введите номер карты и нажмите «Найти».", className="text-muted small")
    return safely(lambda: client_body(current_services().client_card(start, end, pins, str(card_number))))


# --- segment tree, client list, downloads, scatter -------------------------------------------------------------


def client_filter(selection, shops, r, f, m, a, card_text, grid_filter=None) -> ClientFilter:
    """The page's filter values as one primitive ClientFilter."""
    columns = grid.column_filters(grid_filter)
    return ClientFilter.build(selection or ALL, shops, {"r": r, "f": f, "m": m, "a": a}, card_text, columns)


def update_tree(active_tab, start, end, pins, selection):
    """The list tree with counts (and the pharmacies of the period for the pharmacy filter)."""
    if active_tab != ids.TAB_FINAL:
        return no_update, no_update
    try:
        services = current_services()
        tree = services.segment_tree(start, end, pins)
        shops = services.shop_names(start, end)
    except Exception as exc:
        return error_message(exc), []
    return mark_selected(tree_list(tree), selection), [{"label": s, "value": s} for s in shops]


def mark_selected(tree, selection):
    """Highlight the selected node and open the <details> of its cluster (for a class)."""
    selected = ids.segment_node(selection or ALL)
    parent_details = None
    for component in _walk(tree):
        if type(component).__name__ == "Details":
            parent_details = component
        if getattr(component, "id", None) == selected:
            component.className = (component.className or "") + " rfma-tree-selected"
            if (selection or "").startswith("k") and parent_details is not None:
                parent_details.open = True
    return tree


def _walk(node):
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
        return
    if node is None or isinstance(node, (str, int, float)):
        return
    yield node
    yield from _walk(getattr(node, "children", None))


def update_sunburst(active_tab, start, end, pins, selection):
    if active_tab != ids.TAB_FINAL:
        return no_update
    try:
        tree = current_services().segment_tree(start, end, pins)
    except Exception as exc:
        return figures.message_figure(str(exc) if str(exc) else "Нет данных")
    segment = Segment.parse(selection)
    centre = segment if segment.level != "class" else segment.parent()
    return figures.segment_sunburst(tree, centre.node_id if centre.level != "all" else None)


def select_segment(_node_clicks, sunburst_click, _reset, current):
    """The selected node: a list-tree click, a sunburst click (the centre goes one level up) or «Сбросить»."""
    trigger = ctx.triggered_id
    if trigger is None:
        return no_update
    if trigger == ids.FINAL.SEGMENT_RESET:
        return ALL
    if trigger == ids.FINAL.SUNBURST:
        points = (sunburst_click or {}).get("points") or []
        node = points[0].get("id") if points else None
        if not node:
            return no_update
        if node == (current or ALL):
            parent = Segment.parse(node).parent()
            return parent.node_id if parent else ALL
        return node
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update  # a re-rendered tree, not a click
    return trigger["node"]


def show_selection(selection, node_ids, class_names):
    """Breadcrumb of the selected segment and the highlighted node of the list tree."""
    segment = Segment.parse(selection)
    path = segment.path()
    items = [{"label": s.label, "active": i == len(path) - 1} for i, s in enumerate(path)]
    selected = segment.node_id
    classes = []
    for node, names in zip(node_ids, class_names or [None] * len(node_ids), strict=False):
        kept = [c for c in (names or "rfma-tree-node").split() if c != "rfma-tree-selected"]
        classes.append(" ".join(kept + (["rfma-tree-selected"] if node["node"] == selected else [])))
    return dbc.Breadcrumb(items=items, className="mb-0"), classes


def selection_summary(view):
    """KPIs of the selection against the whole base."""
    clients = view.clients
    revenue = float(clients["revenue"].sum())
    purchases = int(clients["purchases"].sum())
    share = len(clients) / view.total_clients if view.total_clients else 0.0
    revenue_share = revenue / view.total_revenue if view.total_revenue else 0.0
    return dbc.Row(
        [
            kpi("Клиентов в выборке", fmt.integer(len(clients)), f"{fmt.percent(share)} базы"),
            kpi("Выручка", fmt.money(revenue), f"{fmt.percent(revenue_share)} выручки базы"),
            kpi("Средний чек", fmt.money(revenue / purchases if purchases else None, 2)),
            kpi("Ср. давность D", f"{fmt.number(clients['recency_days'].mean(), 1)} дн." if len(clients) else "—"),
            kpi("Ср. частота F", fmt.number(clients["frequency"].mean(), 3) if len(clients) else "—"),
            kpi("Ср. возраст A", f"{fmt.number(clients['age_days'].mean(), 1)} дн." if len(clients) else "—"),
        ],
        className="g-3 mb-3",
    )


def update_selection(active_tab, start, end, pins, selection, shops, r, f, m, a, card_text, grid_filter):
    """Summary, client count, RFM scatter and breakdown of the filtered selection."""
    if active_tab != ids.TAB_FINAL:
        return no_update, no_update, no_update, no_update
    try:
        flt = client_filter(selection, shops, r, f, m, a, card_text, grid_filter)
        view = current_services().selection(start, end, pins, flt)
    except Exception as exc:
        return error_message(exc), "", figures.message_figure("Нет данных"), None
    segment = flt.segment_obj
    parts = breakdown(view.clients, segment)
    points = sample_clients(view.clients)
    count = f"{segment.label}: {fmt.integer(len(view.clients))} клиентов"
    level_title = (
        {"region": "регионам", "cluster": "кластерам", "class": "классам"}[parts["level"].iloc[0]] if len(parts) else ""
    )
    bars = graph(figures.selection_breakdown(parts, f"Выборка по {level_title}" if level_title else "Выборка"))
    return selection_summary(view), count, figures.rfm_scatter(points, len(view.clients)), bars


def grid_rows(request, active_tab, start, end, pins, selection, shops, r, f, m, a, card_text):
    """One block of the client table for AG Grid's infinite row model (server-side paging, sort and filter)."""
    if not request or active_tab != ids.TAB_FINAL:
        return no_update
    try:
        flt = client_filter(selection, shops, r, f, m, a, card_text, request.get("filterModel"))
        sort = grid.sort_keys(request.get("sortModel"))
        rows, count = current_services().client_page(
            start, end, pins, flt, request.get("startRow", 0), request.get("endRow", 0), sort
        )
    except Exception:
        return {"rowData": [], "rowCount": 0}
    return {"rowData": rows, "rowCount": count}


def download_csv(
    _clicks, start, end, pins, selection, shops, r, f, m, a, card_text, grid_filter, column_state, csv_format
):
    """«Скачать CSV»: a short-lived link to the whole filtered selection (not the visible page) in the table's order,
    streamed by `dashboard.downloads`; the state is checked here, so errors show next to the button."""
    try:
        flt = client_filter(selection, shops, r, f, m, a, card_text, grid_filter)
        name, token = current_services().keep_client_list(
            start, end, pins, flt, grid.sort_keys(column_state), csv_format or "excel"
        )
    except Exception as exc:
        return no_update, error_message(exc)
    return downloads.client_list_url(token), html.Div(f"Файл {name} скачивается.", className="small text-muted")


def download_report(_clicks, start, end, pins, selection, shops, r, f, m, a, card_text, grid_filter):
    """«Скачать отчёт»: the segment report (HTML) of the filtered selection."""
    try:
        flt = client_filter(selection, shops, r, f, m, a, card_text, grid_filter)
        name, text = current_services().segment_report(start, end, pins, flt, "html")
    except Exception as exc:
        return no_update, error_message(exc)
    return dcc.send_string(text, name, type="text/html"), html.Div(
        f"Отчёт {name} сформирован.", className="small text-muted"
    )


def open_clicked_client(click, clicks):
    """A click on a scatter point puts its card into the lookup and presses «Найти»."""
    points = (click or {}).get("points") or []
    data = points[0].get("customdata") if points else None
    if not data:
        return no_update, no_update
    return str(data[0] if isinstance(data, (list, tuple)) else data), (clicks or 0) + 1


# Refresh the client table when anything outside the grid changes: purge AG Grid's infinite cache, so it asks
# the server for rows again (the grid's own sort and filters refresh it by themselves).
PURGE_GRID = """
function () {
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
        window.dash_ag_grid.getApiAsync("GRID_ID").then(function (api) {
            if (api && !api.isDestroyed()) { api.purgeInfiniteCache(); }
        });
    }
}
""".replace("GRID_ID", ids.FINAL.CLIENT_GRID)

# Open the streamed CSV's link as a download (an <a download> click: the page stays, the browser saves the file).
OPEN_DOWNLOAD = """
function (url) {
    if (url) {
        var link = document.createElement("a");
        link.href = url;
        link.download = "";
        document.body.appendChild(link);
        link.click();
        link.remove();
    }
}
"""


def register(app) -> None:
    app.callback(
        Output(ids.FINAL.BODY, "children"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        Input(ids.SHELL.PINS, "data"),
    )(update_final)
    app.callback(
        Output(ids.FINAL.CARD_RESULT, "children"),
        Input(ids.FINAL.CARD_BUTTON, "n_clicks"),
        Input(ids.FINAL.CARD_INPUT, "n_submit"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        Input(ids.SHELL.PINS, "data"),
        State(ids.FINAL.CARD_INPUT, "value"),
    )(lookup_card)

    filter_inputs = [
        Input(ids.FINAL.SELECTION, "data"),
        Input(ids.FINAL.FILTER_SHOPS, "value"),
        Input(ids.FINAL.FILTER_R, "value"),
        Input(ids.FINAL.FILTER_F, "value"),
        Input(ids.FINAL.FILTER_M, "value"),
        Input(ids.FINAL.FILTER_A, "value"),
        Input(ids.FINAL.FILTER_CARD, "value"),
    ]
    filter_states = [State(i.component_id, i.component_property) for i in filter_inputs]
    period = [
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        Input(ids.SHELL.PINS, "data"),
    ]
    period_states = [State(i.component_id, i.component_property) for i in period]
    app.callback(
        Output(ids.FINAL.TREE, "children"),
        Output(ids.FINAL.FILTER_SHOPS, "options"),
        Input(ids.SHELL.TABS, "active_tab"),
        *period,
        State(ids.FINAL.SELECTION, "data"),
    )(update_tree)
    app.callback(
        Output(ids.FINAL.SUNBURST, "figure"),
        Input(ids.SHELL.TABS, "active_tab"),
        *period,
        Input(ids.FINAL.SELECTION, "data"),
    )(update_sunburst)
    app.callback(
        Output(ids.FINAL.SELECTION, "data"),
        Input(ids.segment_node(ANY), "n_clicks"),
        Input(ids.FINAL.SUNBURST, "clickData"),
        Input(ids.FINAL.SEGMENT_RESET, "n_clicks"),
        State(ids.FINAL.SELECTION, "data"),
        prevent_initial_call=True,
    )(select_segment)
    app.callback(
        Output(ids.FINAL.BREADCRUMB, "children"),
        Output(ids.segment_node(ANY), "className"),
        Input(ids.FINAL.SELECTION, "data"),
        State(ids.segment_node(ANY), "id"),
        State(ids.segment_node(ANY), "className"),
    )(show_selection)
    app.callback(
        Output(ids.FINAL.SELECTION_SUMMARY, "children"),
        Output(ids.FINAL.CLIENT_COUNT, "children"),
        Output(ids.FINAL.SCATTER, "figure"),
        Output(ids.FINAL.BREAKDOWN, "children"),
        Input(ids.SHELL.TABS, "active_tab"),
        *period,
        *filter_inputs,
        Input(ids.FINAL.CLIENT_GRID, "filterModel"),
    )(update_selection)
    app.callback(
        Output(ids.FINAL.CLIENT_GRID, "getRowsResponse"),
        Input(ids.FINAL.CLIENT_GRID, "getRowsRequest"),
        State(ids.SHELL.TABS, "active_tab"),
        *period_states,
        *filter_states,
    )(grid_rows)
    app.clientside_callback(
        PURGE_GRID, Input(ids.SHELL.TABS, "active_tab"), *period, *filter_inputs, prevent_initial_call=True
    )
    app.callback(
        Output(ids.FINAL.CSV_LINK, "data"),
        Output(ids.FINAL.EXPORT_MESSAGE, "children"),
        Input(ids.FINAL.CSV_BUTTON, "n_clicks"),
        *period_states,
        *filter_states,
        State(ids.FINAL.CLIENT_GRID, "filterModel"),
        State(ids.FINAL.CLIENT_GRID, "columnState"),
        State(ids.FINAL.CSV_FORMAT, "value"),
        prevent_initial_call=True,
    )(download_csv)
    app.clientside_callback(OPEN_DOWNLOAD, Input(ids.FINAL.CSV_LINK, "data"), prevent_initial_call=True)
    app.callback(
        Output(ids.FINAL.REPORT_DOWNLOAD, "data"),
        Output(ids.FINAL.EXPORT_MESSAGE, "children", allow_duplicate=True),
        Input(ids.FINAL.REPORT_BUTTON, "n_clicks"),
        *period_states,
        *filter_states,
        State(ids.FINAL.CLIENT_GRID, "filterModel"),
        prevent_initial_call=True,
    )(download_report)
    app.callback(
        Output(ids.FINAL.CARD_INPUT, "value"),
        Output(ids.FINAL.CARD_BUTTON, "n_clicks"),
        Input(ids.FINAL.SCATTER, "clickData"),
        State(ids.FINAL.CARD_BUTTON, "n_clicks"),
        prevent_initial_call=True,
    )(open_clicked_client)
