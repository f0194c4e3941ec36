"""Tab «Финал»: the skeleton (segment tree, its client list with table, CSV, report and RFM scatter, a client
lookup by card, regions, clusters, the 108 classes and recommendations) and the renderers of each part."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from core import formatting as fmt
from core import glossary
from core.model import RfmaError, ThresholdOrderError
from core.segment_tree import Segment
from core.segments import (
    AGE_NAMES,
    FREQUENCY_NAMES,
    MONETARY_NAMES,
    RECENCY_NAMES,
    REGION_RECOMMENDATIONS,
    WARMTH_COLORS,
    WARMTH_NAMES,
)
from dashboard import ids
from dashboard.figures import final as charts
from dashboard.figures.common import message_figure
from dashboard.services.final import ClientCard, FinalView, SelectionView
from dashboard.services.page_state import PageState
from layouts import campaign_form
from layouts.components import (
    GRAPH_CONFIG,
    card,
    download_buttons,
    dropdown,
    graph,
    kpi,
    loading,
    message,
    table,
    workbook_button,
)
from layouts.final_grid import client_grid, with_tooltips
from layouts.final_tree import render_breadcrumb, static_tree, tree_holder


def _grade_filter(component_id: str, title: str, names: dict, value: list[int] | None = None) -> dbc.Col:
    return dbc.Col(
        dropdown(
            component_id,
            f"{title}: все",
            options=[{"label": f"{title} {k} {v}", "value": k} for k, v in names.items()],
            value=value,
            multi=True,
            clearable=True,
        ),
        xs=6,
        md=3,
        lg=True,
    )


CAMPAIGN_FORM = "final"  # the tab of «Создать кампанию»'s ids (callbacks.final wires the same one)


def segment_section(state: PageState | None = None) -> html.Div:
    """The segment tree (list + sunburst), breadcrumb, filters, client table, downloads, breakdown and scatter,
    opened with the address's selection and filters (`state`)."""
    state = state or PageState()
    tree = card(
        [tree_holder(ids.FINAL.TREE, ids.FINAL.TREE_CLICK, static_tree(state.segment))],
        "Дерево сегментов",
        "rfma-tree-card h-100",
    )
    selection_head = html.Div(
        [
            html.Div(
                render_breadcrumb(Segment.parse(state.segment)),
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
                dropdown(
                    ids.FINAL.FILTER_SHOPS,
                    "Аптеки: все (клиенты, покупавшие в выбранных)",
                    # the address's pharmacies until the period's list arrives (a value outside the options is
                    # dropped by the dropdown itself: a pharmacy absent from the period leaves the filter)
                    options=[{"label": s, "value": s} for s in state.shops],
                    value=list(state.shops) or None,
                    multi=True,
                ),
                xs=12,
                lg=3,
            ),
            _grade_filter(ids.FINAL.FILTER_R, "R", RECENCY_NAMES, state.grade("r")),
            _grade_filter(ids.FINAL.FILTER_F, "F", FREQUENCY_NAMES, state.grade("f")),
            _grade_filter(ids.FINAL.FILTER_M, "M", MONETARY_NAMES, state.grade("m")),
            _grade_filter(ids.FINAL.FILTER_A, "A", AGE_NAMES, state.grade("a")),
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
            html.Div(
                [
                    html.Div(id=ids.FINAL.CLIENT_COUNT, className="fw-semibold"),
                    html.Div(id=ids.FINAL.CLIENT_FILTERS, className="small text-muted"),
                ],
                className="me-auto",
            ),
            dbc.RadioItems(
                id=ids.FINAL.CSV_FORMAT,
                options=[{"label": "Excel (;)", "value": "excel"}, {"label": "CSV (,)", "value": "csv"}],
                value="excel",
                inline=True,
                className="small",
            ),
            dbc.RadioItems(
                id=ids.FINAL.CSV_NAMES,
                options=[
                    {"label": "столбцы по-русски", "value": "ru"},
                    {"label": "машинные имена", "value": "machine"},
                ],
                value="ru",
                inline=True,
                className="small",
            ),
            dbc.Button("Скачать CSV", id=ids.FINAL.CSV_BUTTON, color="primary", size="sm"),
            dbc.Button("Скачать отчёт", id=ids.FINAL.REPORT_BUTTON, color="primary", outline=True, size="sm"),
            campaign_form.open_button(CAMPAIGN_FORM),
            campaign_form.modal(CAMPAIGN_FORM),
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
            dcc.Store(id=ids.FINAL.SELECTION, data=state.segment, storage_type="memory"),
            dcc.Store(id=ids.FINAL.TREE_CLICK),
        ]
    )


def layout(state: PageState | None = None) -> html.Div:
    """The tab's skeleton; the segment section opens with the address's selection and filters."""
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
    drawn = [  # the key of what each part shows (callbacks.final: a part shown again unchanged is kept)
        dcc.Store(id=store, storage_type="memory")
        for store in (
            ids.FINAL.DRAWN_BODY,
            ids.FINAL.DRAWN_CARD,
            ids.FINAL.DRAWN_TREE,
            ids.FINAL.DRAWN_SUNBURST,
            ids.FINAL.DRAWN_SELECTION,
        )
    ]
    return html.Div(
        [segment_section(state), lookup, loading(html.Div(id=ids.FINAL.BODY, className="rfma-body")), *drawn]
    )


# --- renderers ----------------------------------------------------------------------------------------------

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
} | {column: header for column, (header, _) in glossary.BONUS_ECONOMICS.items()}
# the headers' tooltips: what each bonus-economics column means
SUMMARY_HEADER_HINTS = {column: hint for column, (_, hint) in glossary.BONUS_ECONOMICS.items()}
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
    "bonus_earned": fmt.integer,
    "bonus_spent": fmt.integer,
    "bonus_spent_to_earned": lambda v: fmt.percent(v, 1),
    "bonus_spent_share": lambda v: fmt.percent(v, 2),
    "discount_share": lambda v: fmt.percent(v, 2),
    "bonus_clients_share": lambda v: fmt.percent(v, 1),
    "ltv": lambda v: fmt.number(v, 2),
    "warmth": lambda v: f"{v} {WARMTH_NAMES.get(int(v), '')}",
}
# field, header, width
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
GRADE_LABELS = (
    ("r", "Recency", RECENCY_NAMES),
    ("f", "Frequency", FREQUENCY_NAMES),
    ("m", "Monetary", MONETARY_NAMES),
    ("a", "Age", AGE_NAMES),
)
REGION_HINTS = {"region": glossary.region_hint}
CLUSTER_HINTS = {"cluster": glossary.cluster_hint, "region": glossary.region_hint}
LEVEL_TITLES = {"region": "регионам", "cluster": "кластерам", "class": "классам"}


def class_grid(classes: pd.DataFrame) -> dag.AgGrid:
    """All 108 classes (empty ones too), sortable and filterable."""
    return dag.AgGrid(
        id=ids.FINAL.CLASS_TABLE,
        rowData=classes[[c for c, _, _ in CLASS_COLUMNS]].to_dict("records"),
        columnDefs=[
            with_tooltips(
                {"field": c, "headerName": h, "width": w, "sortable": True, "filter": c in ("class", "class_name")}
            )
            for c, h, w in CLASS_COLUMNS
        ],
        dashGridOptions={"rowHeight": 30, "headerHeight": 34, "animateRows": False, "tooltipShowDelay": 300},
        style={"height": "480px"},
        className="ag-theme-alpine",
    )


def recommendations(regions: pd.DataFrame) -> dbc.ListGroup:
    """Each region's size, warmth and what marketing should do with it."""
    items = []
    for row in regions.itertuples():
        warmth = int(row.warmth)
        title = html.Div(
            [
                html.Span(f"{row.region} {row.region_name}", className="fw-semibold"),
                dbc.Badge(
                    fmt.count(row.clients, *fmt.CLIENTS),
                    color="light",
                    text_color="dark",
                    className="ms-2",
                ),
                html.Span(
                    WARMTH_NAMES[warmth], className="badge ms-2", style={"backgroundColor": WARMTH_COLORS[warmth]}
                ),
            ]
        )
        items.append(
            dbc.ListGroupItem([title, html.Div(REGION_RECOMMENDATIONS[int(row.region)], className="small mt-1")])
        )
    return dbc.ListGroup(items, id=ids.FINAL.RECOMMENDATIONS, flush=True)


def render_final(view: FinalView) -> html.Div:
    """Regions (chart, recommendations, table), clusters and the 108 classes."""
    thresholds_line = (
        f"Дата анализа {fmt.date(view.analysis_date)}; клиентов {fmt.integer(view.clients)}. Пороги: "
        + ", ".join(f"{k} = {fmt.threshold(v)}" for k, v in view.thresholds.items())
    )
    region_columns = {"region": "Регион", "region_name": "Название", "warmth": "Прогрев"} | SUMMARY_COLUMNS
    cluster_columns = {"cluster": "Кластер", "cluster_name": "Название", "warmth": "Прогрев"} | SUMMARY_COLUMNS
    non_empty = int((view.classes["clients"] > 0).sum())
    recommended = card(
        [download_buttons("recommendations"), recommendations(view.regions)],
        "Рекомендации маркетингу по регионам",
        "rfma-recommendations",
    )
    return html.Div(
        [
            html.Div(
                [html.P(thresholds_line, className="text-muted small mb-0 me-3"), workbook_button()],
                className="d-flex align-items-center justify-content-between flex-wrap mb-2",
            ),
            dbc.Row(
                [
                    dbc.Col(graph(charts.region_chart(view.regions), ids.FINAL.REGION_GRAPH), lg=6),
                    dbc.Col(recommended, lg=6),
                ],
                className="g-3",
            ),
            card(
                [
                    download_buttons("regions"),
                    table(
                        view.regions,
                        region_columns,
                        ids.FINAL.REGION_TABLE,
                        SUMMARY_FORMATS,
                        hints=REGION_HINTS,
                        header_hints=SUMMARY_HEADER_HINTS,
                    ),
                ],
                "9 регионов",
            ),
            card(
                [
                    download_buttons("clusters"),
                    table(
                        view.clusters,
                        cluster_columns,
                        ids.FINAL.CLUSTER_TABLE,
                        SUMMARY_FORMATS,
                        hints=CLUSTER_HINTS,
                        header_hints=SUMMARY_HEADER_HINTS,
                    ),
                ],
                "16 кластеров",
            ),
            card(
                [
                    download_buttons("classes"),
                    html.P(f"Непустых классов: {non_empty} из 108.", className="small text-muted"),
                    class_grid(view.classes),
                ],
                "108 классов RFMA",
            ),
        ]
    )


def render_card_prompt() -> html.Div:
    """The lookup before a card is typed."""
    return html.Div("Введите номер карты и нажмите «Найти».", className="text-muted small")


def render_client(result: ClientCard) -> html.Div:
    """One client's facts, grades, segments and cheques."""
    if result.row is None:
        text = f"У карты {result.card} есть чеки, но она не проходит шаблон идентифицированной карты."
        return html.Div([message(text, "info")])
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
    warmth = WARMTH_NAMES[int(row["warmth"])]
    segment = [
        html.Div([html.Span("Класс ", className="text-muted"), html.B(row["class"]), f" — {row['class_name']}"]),
        html.Div(
            [html.Span("Кластер ", className="text-muted"), html.B(str(row["cluster"])), f" — {row['cluster_name']}"]
        ),
        html.Div(
            [
                html.Span("Регион ", className="text-muted"),
                html.B(str(row["region"])),
                f" — {row['region_name']} ({warmth})",
            ]
        ),
    ]
    facts_list = html.Dl([item for k, v in facts for item in (html.Dt(k), html.Dd(v))], className="rfma-facts")
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(facts_list, md=5),
                    dbc.Col([html.Div(segment, className="mb-2"), html.Ul([html.Li(g) for g in grades])], md=7),
                ]
            ),
            client_action(row, result.action),
            graph(charts.client_cheques(result.cheques, result.card), ids.FINAL.CLIENT_CHEQUES),
            dbc.Row(
                [
                    dbc.Col(client_cheque_table(result), lg=8),
                    dbc.Col(client_shop_table(result), lg=4),
                ],
                className="g-3",
            ),
        ],
        className="rfma-client",
    )


CHEQUE_COLUMNS = {
    "datetime": "Дата и время",
    "shop": "Аптека",
    "amount": "Сумма, ₽",
    "discount": "Скидка, ₽",
    "bonus_earned": "Бонусов начислено",
    "bonus_spent": "Бонусов списано",
}
CHEQUE_FORMATS = {
    "datetime": fmt.date_time,
    "amount": lambda v: fmt.number(v, 2),
    "discount": lambda v: fmt.number(v, 2),
    "bonus_earned": lambda v: fmt.number(v, 2),
    "bonus_spent": lambda v: fmt.number(v, 2),
}
SHOP_COLUMNS = {"shop": "Аптека", "cheques": "Чеков", "revenue": "Выручка, ₽"}
SHOP_FORMATS = {"cheques": fmt.integer, "revenue": lambda v: fmt.number(v, 2)}


def client_action(row: dict, action: str | None) -> html.Div:
    """What marketing should do with the client: their region's recommended action."""
    region = f"{row['region']} {row['region_name']}"
    return html.Div(
        [
            html.Div(f"Что делать с клиентом (регион {region})", className="fw-semibold"),
            html.Div(action or "—", className="small"),
        ],
        id=ids.FINAL.CLIENT_ACTION,
        className="rfma-client-action border-start border-3 ps-2 my-2",
    )


def cheque_count_line(shown: int, total: int) -> str:
    """«Показаны последние 20 из 57 чеков периода» when capped, «3 чека за период» otherwise."""
    if shown < total:
        of = fmt.count(total, *fmt.CHEQUES_GENITIVE)  # «из 21 чека», «из 25 чеков»
        return f"Показаны последние {fmt.integer(shown)} из {of} периода, новые сверху."
    return f"{fmt.count(total, *fmt.CHEQUES)} за период, новые сверху."


def client_cheque_table(result: ClientCard) -> dbc.Card:
    """The client's newest cheques (date and time, pharmacy, amount, discount, bonuses), newest first."""
    return card(
        [
            html.P(cheque_count_line(len(result.latest), result.cheque_count), className="small text-muted mb-1"),
            download_buttons("client_cheques"),
            table(result.latest, CHEQUE_COLUMNS, ids.FINAL.CLIENT_CHEQUE_TABLE, CHEQUE_FORMATS),
        ],
        "Чеки клиента",
    )


def client_shop_table(result: ClientCard) -> dbc.Card:
    """The pharmacies the client bought in: cheques and revenue in each."""
    return card(
        [download_buttons("client_shops"), table(result.shops, SHOP_COLUMNS, ids.FINAL.CLIENT_SHOPS, SHOP_FORMATS)],
        "Аптеки клиента",
    )


def render_sunburst_error(exc: Exception):
    """The sunburst's place when the tree cannot be computed (the message itself is in the tree panel; a set of
    thresholds that does not fit the period is said under the header only; other errors' texts are not shown)."""
    shown = isinstance(exc, RfmaError) and not isinstance(exc, ThresholdOrderError)
    return message_figure(str(exc) if shown and str(exc) else "Нет данных")


def render_sunburst(tree: pd.DataFrame, selected: Segment):
    """The sunburst centred on the selected segment (a class's cluster for a class)."""
    centre = selected.parent() if selected.level == "class" else selected
    return charts.segment_sunburst(tree, centre.node_id if centre and centre.level != "all" else None)


def render_selection_summary(view: SelectionView) -> dbc.Row:
    """KPIs of the selection against the whole base."""
    days = lambda value: f"{fmt.number(value, 1)} дн." if value is not None else "—"  # noqa: E731
    return dbc.Row(
        [
            kpi("Клиентов в выборке", fmt.integer(view.clients), f"{fmt.percent(view.share)} базы"),
            kpi("Выручка", fmt.money(view.revenue), f"{fmt.percent(view.revenue_share)} выручки базы"),
            kpi("Средний чек", fmt.money(view.avg_cheque, 2)),
            kpi("Ср. давность D", days(view.mean_recency_days)),
            kpi("Ср. частота F", fmt.number(view.mean_frequency, 3)),
            kpi("Ср. возраст A", days(view.mean_age_days)),
        ],
        className="g-3 mb-3",
    )


def render_selection(view: SelectionView) -> tuple:
    """(summary, client count line, the filters in force, RFM scatter figure, breakdown chart) of the selection."""
    count = f"{view.segment.label}: {fmt.count(view.clients, *fmt.CLIENTS)}"
    filters = "Фильтры: " + "; ".join(view.filters) if view.filters else ""
    parts = view.breakdown
    level_title = LEVEL_TITLES[parts["level"].iloc[0]] if len(parts) else ""
    bars = graph(charts.selection_breakdown(parts, f"Выборка по {level_title}" if level_title else "Выборка"))
    return render_selection_summary(view), count, filters, charts.rfm_scatter(view.points, view.clients), bars


def render_selection_error(error: html.Div | dbc.Alert) -> tuple:
    """The selection's outputs when it cannot be computed: the message in place of the summary."""
    return error, "", "", message_figure("Нет данных"), None
