"""Tab «Клиенты»: KPI cards, clients by number of pharmacies, new clients and cheques per month."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, html

from callbacks.common import safely
from core import formatting as fmt
from dashboard import figures, ids
from dashboard.services import ClientsView, current_services
from layouts.components import graph, kpi, message


def clients_body(view: ClientsView):
    """The tab's content for one period."""
    o = view.overview
    cards = dbc.Row(
        [
            kpi(
                "Период деятельности", f"{fmt.date(o.first_date)} — {fmt.date(o.last_date)}", id=ids.CLIENTS.KPI_PERIOD
            ),
            kpi("Идентифицированных клиентов", fmt.integer(view.clients), id=ids.CLIENTS.KPI_CLIENTS),
            kpi("Аптек в сети", fmt.integer(len(o.shop_names())), id=ids.CLIENTS.KPI_SHOPS),
            kpi("Покупают в нескольких аптеках", fmt.percent(view.multi_shop_share, 2), id=ids.CLIENTS.KPI_MULTI),
            kpi(
                "Чеков",
                fmt.integer(o.cheques),
                f"неидентифицировано {fmt.percent(o.unidentified_cheque_share)}",
                id=ids.CLIENTS.KPI_CHEQUES,
            ),
            kpi(
                "Выручка",
                fmt.money(o.revenue),
                f"без идентификации {fmt.percent(o.unidentified_revenue_share, 2)}",
                id=ids.CLIENTS.KPI_REVENUE,
            ),
        ],
        className="g-3 mb-3",
    )
    cheques = graph(figures.cheques_monthly(o.monthly), ids.CLIENTS.GRAPH_CHEQUES)
    if view.message:
        return html.Div([cards, message(view.message, "warning", "Нет идентифицированных клиентов"), cheques])
    return html.Div(
        [
            cards,
            dbc.Row(
                [
                    dbc.Col(
                        graph(figures.clients_by_shop_count(view.shops_per_client), ids.CLIENTS.GRAPH_SHOP_COUNT), lg=5
                    ),
                    dbc.Col(graph(figures.new_clients_monthly(o.new_clients), ids.CLIENTS.GRAPH_NEW), lg=7),
                ],
                className="g-3",
            ),
            cheques,
        ]
    )


def update_clients(active_tab: str, start: str | None, end: str | None):
    if active_tab != ids.TAB_CLIENTS:
        return None
    return safely(lambda: clients_body(current_services().clients_view(start, end)))


def register(app) -> None:
    app.callback(
        Output(ids.CLIENTS.BODY, "children"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
    )(update_clients)
