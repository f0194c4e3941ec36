"""Tab «Аптеки»: unidentified shares by pharmacy, average/median cheque, monthly revenue, and a table."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, html

from callbacks.common import safely
from core import formatting as fmt
from core.overview import Overview
from dashboard import figures, ids
from dashboard.services import current_services
from layouts.components import graph, message, table

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


def closed_shops(overview: Overview) -> list[str]:
    """Pharmacies whose last sale is more than a month before the period's last cheque."""
    table = overview.shop_table()
    if table.empty or overview.last_date is None:
        return []
    last = table["last_month"].max()
    return [row.shop for row in table.itertuples() if row.last_month < last - pd.DateOffset(months=1)]


def pharmacies_body(overview: Overview):
    shop_table = overview.shop_table()
    notes = []
    if overview.unidentified_cheques == overview.cheques:
        notes.append(message("В выбранном периоде нет идентифицированных чеков: все доли равны 100 %.", "info"))
    closed = closed_shops(overview)
    if closed:
        notes.append(
            message(
                "Нет продаж в последние месяцы периода (видимо, закрыта): " + ", ".join(closed) + ".",
                "info",
            )
        )
    return html.Div(
        [
            *notes,
            dbc.Row(
                [
                    dbc.Col(
                        graph(
                            figures.unidentified_share_by_shop(
                                shop_table,
                                "unidentified_cheque_share",
                                overview.unidentified_cheque_share,
                                "Доля неидентифицированных чеков по аптекам",
                            ),
                            ids.PHARMACIES.GRAPH_CHEQUE_SHARE,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        graph(
                            figures.unidentified_share_by_shop(
                                shop_table,
                                "unidentified_revenue_share",
                                overview.unidentified_revenue_share,
                                "Доля неидентифицированной выручки по аптекам",
                            ),
                            ids.PHARMACIES.GRAPH_REVENUE_SHARE,
                        ),
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
            graph(figures.cheque_by_shop(shop_table), ids.PHARMACIES.GRAPH_CHEQUE),
            graph(
                figures.shop_monthly_revenue(overview.shop_monthly, overview.shop_names()), ids.PHARMACIES.GRAPH_MONTHLY
            ),
            html.H5("Показатели аптек", className="mt-3"),
            table(shop_table, TABLE_COLUMNS, ids.PHARMACIES.TABLE, TABLE_FORMATS),
        ]
    )


def update_pharmacies(active_tab: str, start: str | None, end: str | None):
    if active_tab != ids.TAB_PHARMACIES:
        return None
    return safely(lambda: pharmacies_body(current_services().pharmacies_view(start, end)))


def register(app) -> None:
    app.callback(
        Output(ids.PHARMACIES.BODY, "children"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
    )(update_pharmacies)
