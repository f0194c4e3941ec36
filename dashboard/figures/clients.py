"""Charts of «Клиенты»: clients by number of pharmacies, new clients and cheques per month."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import ACCENT, IDENTIFIED_COLOR, MONTH_FORMAT, UNIDENTIFIED_COLOR, count_share, layout


def clients_by_shop_count(shops: pd.DataFrame) -> go.Figure:
    """Bars: number of clients by the number of pharmacies they bought in."""
    total = shops["clients"].sum() or 1
    fig = go.Figure(
        go.Bar(
            x=shops["shops"].astype(str),
            y=shops["clients"],
            text=[count_share(c, c / total) for c in shops["clients"]],
            textposition="outside",
            marker_color=ACCENT,
            hovertemplate="аптек: %{x}<br>клиентов: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    return layout(fig, "Клиенты по количеству посещенных аптек", "аптек посещено", "клиентов")


def new_clients_monthly(new_clients: pd.DataFrame) -> go.Figure:
    """Bars: identified clients whose first cheque falls in each month."""
    fig = go.Figure(
        go.Bar(
            x=new_clients["month"],
            y=new_clients["clients"],
            marker_color=IDENTIFIED_COLOR,
            hovertemplate="%{x|%m.%Y}<br>новых клиентов: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return layout(fig, "Новые идентифицированные клиенты по месяцам", None, "клиентов")


def cheques_monthly(monthly: pd.DataFrame) -> go.Figure:
    """Stacked bars: identified vs unidentified cheques per month."""
    fig = go.Figure()
    for flag, name, color in (
        (True, "идентифицированные", IDENTIFIED_COLOR),
        (False, "неидентифицированные", UNIDENTIFIED_COLOR),
    ):
        part = monthly[monthly["identified"] == flag]
        fig.add_trace(
            go.Bar(
                x=part["month"],
                y=part["cheques"],
                name=name,
                marker_color=color,
                hovertemplate="%{x|%m.%Y}<br>" + name + ": %{y}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return layout(fig, "Идентифицированные и неидентифицированные чеки по месяцам", None, "чеков")
