"""Tab «Аптеки»: the skeleton and the renderer of its body (four charts and a table)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from core import formatting as fmt
from dashboard import ids
from dashboard.figures import pharmacies as charts
from dashboard.services.pharmacies import PharmaciesView
from layouts.components import download_buttons, graph, loading, message, table

TABLE_COLUMNS = {
    "shop": "Аптека",
    "cheques": "Чеков",
    "unidentified_cheque_share": "Доля неидент. чеков",
    "revenue": "Выручка, ₽",
    "unidentified_revenue_share": "Доля неидент. выручки",
    "avg_identified": "Средний чек (идент.)",
    "avg_unidentified": "Средний чек (неидент.)",
    "median_identified": "Медианный чек (идент.)",
    "median_unidentified": "Медианный чек (неидент.)",
    "last_month": "Последний месяц продаж",
}
TABLE_FORMATS = {
    "cheques": fmt.integer,
    "unidentified_cheque_share": fmt.percent,
    "revenue": fmt.integer,
    "unidentified_revenue_share": fmt.percent,
    "avg_identified": lambda v: fmt.number(v, 2),
    "avg_unidentified": lambda v: fmt.number(v, 2),
    "median_identified": lambda v: fmt.number(v, 2),
    "median_unidentified": lambda v: fmt.number(v, 2),
    "last_month": fmt.month,
}


def layout() -> html.Div:
    """The tab before data: an empty body filled by callbacks.pharmacies."""
    return html.Div([loading(html.Div(id=ids.PHARMACIES.BODY, className="rfma-body"))])


def render_pharmacies(view: PharmaciesView) -> html.Div:
    """The tab's content for one period."""
    overview, shop_table = view.overview, view.shop_table
    notes = []
    if view.all_unidentified:
        notes.append(message("В выбранном периоде нет идентифицированных чеков: все доли равны 100 %.", "info"))
    if view.closed_shops:
        closed = ", ".join(view.closed_shops)
        notes.append(message(f"Нет продаж в последние месяцы периода (видимо, закрыта): {closed}.", "info"))
    cheque_share = charts.unidentified_share_by_shop(
        shop_table,
        "unidentified_cheque_share",
        overview.unidentified_cheque_share,
        "Доля неидентифицированных чеков по аптекам",
    )
    revenue_share = charts.unidentified_share_by_shop(
        shop_table,
        "unidentified_revenue_share",
        overview.unidentified_revenue_share,
        "Доля неидентифицированной выручки по аптекам",
    )
    monthly = charts.shop_monthly_revenue(overview.shop_monthly, overview.shop_names(), view.partial_months)
    return html.Div(
        [
            *notes,
            dbc.Row(
                [
                    dbc.Col(graph(cheque_share, ids.PHARMACIES.GRAPH_CHEQUE_SHARE), lg=6),
                    dbc.Col(graph(revenue_share, ids.PHARMACIES.GRAPH_REVENUE_SHARE), lg=6),
                ],
                className="g-3",
            ),
            graph(charts.cheque_by_shop(shop_table), ids.PHARMACIES.GRAPH_CHEQUE),
            graph(monthly, ids.PHARMACIES.GRAPH_MONTHLY),
            html.H5("Показатели аптек", className="mt-3"),
            download_buttons("pharmacies"),
            table(shop_table, TABLE_COLUMNS, ids.PHARMACIES.TABLE, TABLE_FORMATS),
        ]
    )
