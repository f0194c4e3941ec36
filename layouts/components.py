"""Small reusable components: KPI cards, messages, graphs, tables from DataFrames."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

GRAPH_CONFIG = {"displaylogo": False, "locale": "ru", "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def kpi(title: str, value: str, note: str | None = None, id: str | None = None) -> dbc.Col:
    """A KPI card: a small title, a big value, an optional note."""
    body = [
        html.Div(title, className="kpi-title"),
        html.Div(value, className="kpi-value", **({"id": id} if id else {})),
    ]
    if note:
        body.append(html.Div(note, className="kpi-note"))
    return dbc.Col(dbc.Card(dbc.CardBody(body), className="kpi-card h-100"), xs=12, sm=6, lg=True)


def message(text: str, color: str = "warning", title: str | None = None) -> dbc.Alert:
    """A clear message shown in place of charts."""
    children = [html.H5(title, className="alert-heading")] if title else []
    children.append(html.Div(text))
    return dbc.Alert(children, color=color, className="rfma-message my-3")


def graph(figure, id: str | None = None) -> dcc.Graph:
    kwargs = {"id": id} if id else {}
    return dcc.Graph(figure=figure, config=GRAPH_CONFIG, className="rfma-graph", **kwargs)


def card(children, title: str | None = None, class_name: str = "") -> dbc.Card:
    parts = [dbc.CardHeader(title)] if title else []
    parts.append(dbc.CardBody(children))
    return dbc.Card(parts, className=f"mb-3 {class_name}")


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    id: str | None = None,
    formats: dict | None = None,
    class_name: str = "",
) -> dbc.Table:
    """A bootstrap table of the given columns (name → Russian header), values formatted by `formats`."""
    formats = formats or {}
    header = html.Thead(html.Tr([html.Th(title) for title in columns.values()]))
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record.get(column)
            fmt = formats.get(column)
            cells.append(html.Td(fmt(value) if fmt else ("—" if value is None else str(value))))
        rows.append(html.Tr(cells))
    kwargs = {"id": id} if id else {}
    return dbc.Table(
        [header, html.Tbody(rows)],
        bordered=False,
        hover=True,
        striped=True,
        size="sm",
        responsive=True,
        className=f"rfma-table {class_name}",
        **kwargs,
    )


def loading(child) -> dcc.Loading:
    return dcc.Loading(child, type="default", delay_show=300)
