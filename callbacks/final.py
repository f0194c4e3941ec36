"""Tab «Финал»: regions (chart, table, recommendations), clusters, the 108 classes and a client lookup."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, html, no_update

from callbacks.common import safely
from core.segments import AGE_NAMES, FREQUENCY_NAMES, MONETARY_NAMES, RECENCY_NAMES, REGION_RECOMMENDATIONS, WARMTH_NAMES
from dashboard import figures, formatting as fmt, ids
from dashboard.services import ClientCard, FinalView, current_services
from layouts.components import card, graph, message, table

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
    ("r", "R", 60), ("f", "F", 60), ("m", "M", 60), ("a", "A", 60), ("class", "Класс", 90),
    ("clients", "Клиентов", 110), ("class_name", "Описание", 380), ("cluster", "Кластер", 100), ("region", "Регион", 100),
]  # fmt: skip


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
                            dbc.Badge(f"{fmt.integer(row.clients)} клиентов", color="light", text_color="dark", className="ms-2"),
                            html.Span(WARMTH_NAMES[int(row.warmth)], className="badge ms-2",
                                      style={"backgroundColor": figures.WARMTH_COLORS[int(row.warmth)]}),
                        ]
                    ),
                    html.Div(REGION_RECOMMENDATIONS[int(row.region)], className="small mt-1"),
                ]
            )
        )  # fmt: skip
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
                    dbc.Col(card(recommendations(regions), "Рекомендации маркетингу по регионам",
                                 "rfma-recommendations"), lg=6),
                ],
                className="g-3",
            ),  # fmt: skip
            card(table(regions, {"region": "Регион", "region_name": "Название", "warmth": "Прогрев"} | SUMMARY_COLUMNS,
                       ids.FINAL.REGION_TABLE, SUMMARY_FORMATS), "9 регионов"),
            card(table(clusters, {"cluster": "Кластер", "cluster_name": "Название", "warmth": "Прогрев"} | SUMMARY_COLUMNS,
                       ids.FINAL.CLUSTER_TABLE, SUMMARY_FORMATS), "16 кластеров"),
            card([html.P(f"Непустых классов: {int((view.classes['clients'] > 0).sum())} из 108.", className="small text-muted"),
                  class_grid(view.classes)], "108 классов RFMA"),
        ]
    )  # fmt: skip


def update_final(active_tab, start, end, pins):
    if active_tab != ids.TAB_FINAL:
        return None
    return safely(lambda: final_body(current_services().final_view(start, end, pins)))


GRADE_LABELS = (("r", "Recency", RECENCY_NAMES), ("f", "Frequency", FREQUENCY_NAMES), ("m", "Monetary", MONETARY_NAMES), ("a", "Age", AGE_NAMES))


def client_body(result: ClientCard):
    if result.row is None:
        return html.Div([
            message(f"У карты {result.card} есть чеки, но она не проходит шаблон идентифицированной карты.", "info"),
        ])  # fmt: skip
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
        html.Div([html.Span("Кластер ", className="text-muted"), html.B(str(row["cluster"])), f" — {row['cluster_name']}"]),
        html.Div([html.Span("Регион ", className="text-muted"), html.B(str(row["region"])),
                  f" — {row['region_name']} ({WARMTH_NAMES[int(row['warmth'])]})"]),
    ]  # fmt: skip
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(html.Dl([item for k, v in facts for item in (html.Dt(k), html.Dd(v))],
                                    className="rfma-facts"), md=5),
                    dbc.Col([html.Div(segment, className="mb-2"), html.Ul([html.Li(g) for g in grades])], md=7),
                ]
            ),
            graph(figures.client_cheques(result.cheques, result.card), "final-client-cheques"),
        ],
        className="rfma-client",
    )  # fmt: skip


def lookup_card(_clicks, _submits, active_tab, start, end, pins, card_number):
    if active_tab != ids.TAB_FINAL:
        return no_update
    if not card_number or not str(card_number).strip():
        return html.Div("Введите номер карты и нажмите «Найти».", className="text-muted small")
    return safely(lambda: client_body(current_services().client_card(start, end, pins, str(card_number))))


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
