"""Tab «Клиенты»: the skeleton and the renderer of its body (KPI cards and three charts)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from core import formatting as fmt
from dashboard import ids
from dashboard.figures import clients as charts
from dashboard.services.clients import ClientsView
from layouts.components import download_buttons, graph, kpi, loading, message


def layout() -> html.Div:
    """The tab before data: an empty body filled by callbacks.clients."""
    return html.Div([loading(html.Div(id=ids.CLIENTS.BODY, className="rfma-body"))])


def render_clients(view: ClientsView) -> html.Div:
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
    cheques = html.Div(
        [
            graph(charts.cheques_monthly(o.monthly, view.partial_months), ids.CLIENTS.GRAPH_CHEQUES),
            download_buttons("monthly"),
        ]
    )
    cards = html.Div([cards, download_buttons("clients_kpis")])
    if view.message:
        return html.Div([cards, message(view.message, "warning", "Нет идентифицированных клиентов"), cheques])
    by_shops = html.Div(
        [
            graph(charts.clients_by_shop_count(view.shops_per_client), ids.CLIENTS.GRAPH_SHOP_COUNT),
            download_buttons("clients_by_shops"),
        ]
    )
    new = graph(charts.new_clients_monthly(o.new_clients, view.partial_months), ids.CLIENTS.GRAPH_NEW)
    return html.Div([cards, dbc.Row([dbc.Col(by_shops, lg=5), dbc.Col(new, lg=7)], className="g-3"), cheques])
