"""Charts of «Клиенты»: clients by number of pharmacies, new clients and cheques per month."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    ACCENT,
    IDENTIFIED_COLOR,
    MONTH_FORMAT,
    OUTSIDE_TEXT,
    UNIDENTIFIED_COLOR,
    count_share,
    layout,
    mark_partial_months,
    month_key,
    partial_bar_style,
    value_range,
)


def clients_by_shop_count(shops: pd.DataFrame) -> go.Figure:
    """Bars: number of clients by the number of pharmacies they bought in."""
    total = shops["clients"].sum() or 1
    fig = go.Figure(
        go.Bar(
            x=shops["shops"].astype(str),
            y=shops["clients"],
            text=[count_share(c, c / total) for c in shops["clients"]],
            **OUTSIDE_TEXT,
            marker_color=ACCENT,
            hovertemplate="аптек: %{x}<br>клиентов: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=value_range(shops["clients"]))
    return layout(fig, "Клиенты по количеству посещенных аптек", "аптек посещено", "клиентов")


def _tops(months: pd.Series, values: pd.Series) -> dict[dt.date, float]:
    """Each month's bar top (stacked bars add up)."""
    tops: dict[dt.date, float] = {}
    for month, value in zip(months, values, strict=True):
        key = month_key(month)
        tops[key] = tops.get(key, 0.0) + float(value)
    return tops


def new_clients_monthly(new_clients: pd.DataFrame, partial: dict[dt.date, int] | None = None) -> go.Figure:
    """Bars: identified clients whose first cheque falls in each month (a partial month hatched and labelled)."""
    partial = partial or {}
    fig = go.Figure(
        go.Bar(
            x=new_clients["month"],
            y=new_clients["clients"],
            marker_color=IDENTIFIED_COLOR,
            hovertemplate="%{x|%m.%Y}<br>новых клиентов: %{y}<extra></extra>",
            **partial_bar_style(new_clients["month"], partial),
        )
    )
    mark_partial_months(fig, partial, _tops(new_clients["month"], new_clients["clients"]))
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return layout(fig, "Новые идентифицированные клиенты по месяцам", None, "клиентов")


def cheques_monthly(monthly: pd.DataFrame, partial: dict[dt.date, int] | None = None) -> go.Figure:
    """Stacked bars: identified vs unidentified cheques per month (a partial month hatched and labelled)."""
    partial = partial or {}
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
                **partial_bar_style(part["month"], partial),
            )
        )
    mark_partial_months(fig, partial, _tops(monthly["month"], monthly["cheques"]))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return layout(fig, "Идентифицированные и неидентифицированные чеки по месяцам", None, "чеков")
