"""Charts of «Аптеки»: unidentified shares, average and median cheque, monthly revenue per pharmacy."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from core import formatting as fmt
from dashboard.figures.common import (
    IDENTIFIED_COLOR,
    MONTH_FORMAT,
    OUTSIDE_TEXT,
    TEMPLATE,
    UNIDENTIFIED_COLOR,
    layout,
    mark_partial_months,
    month_key,
    partial_label,
    value_range,
)


def unidentified_share_by_shop(table: pd.DataFrame, column: str, average: float, title: str) -> go.Figure:
    """Bars sorted descending: one pharmacy's unidentified share; a line at the chain average."""
    data = table[["shop", column]].dropna().sort_values(column, ascending=False)
    fig = go.Figure(
        go.Bar(
            x=data["shop"],
            y=data[column],
            marker_color=[UNIDENTIFIED_COLOR if v <= average else "#e76f51" for v in data[column]],
            text=[fmt.percent(v) for v in data[column]],
            **OUTSIDE_TEXT,
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            name="аптека",
        )
    )
    fig.add_hline(
        y=average,
        line_dash="dash",
        line_color="#212529",
        annotation_text=f"в среднем по сети {fmt.percent(average)}",
        annotation_position="top right",
    )
    fig.update_yaxes(tickformat=".0%", range=value_range(data[column], average))
    fig.update_xaxes(type="category")
    return layout(fig, title, None, "доля")


def cheque_by_shop(table: pd.DataFrame) -> go.Figure:
    """Grouped bars: average and median cheque per pharmacy, identified and unidentified."""
    series = (
        ("avg_identified", "средний, идентифицированные", IDENTIFIED_COLOR, None),
        ("avg_unidentified", "средний, неидентифицированные", UNIDENTIFIED_COLOR, None),
        ("median_identified", "медианный, идентифицированные", IDENTIFIED_COLOR, "/"),
        ("median_unidentified", "медианный, неидентифицированные", UNIDENTIFIED_COLOR, "/"),
    )
    fig = go.Figure()
    for column, name, color, pattern in series:
        fig.add_trace(
            go.Bar(
                x=table["shop"],
                y=table[column],
                name=name,
                marker_color=color,
                marker_pattern_shape=pattern,
                hovertemplate="%{x}<br>" + name + ": %{y:,.0f} ₽<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    return layout(fig, "Средний и медианный чек по аптекам", None, "₽", height=400)


def shop_monthly_revenue(
    shop_monthly: pd.DataFrame, order: list[str], partial: dict[dt.date, int] | None = None
) -> go.Figure:
    """Lines: revenue per pharmacy per month (a closed pharmacy's line stops); the segment into a partial month is
    dashed, its point hollow, and the month labelled «неполный месяц (N дней)»."""
    partial = partial or {}
    fig = go.Figure()
    tops: dict[dt.date, float] = {}
    colorway = TEMPLATE.layout.colorway
    for index, shop in enumerate(order):
        part = shop_monthly[shop_monthly["shop"] == shop].sort_values("month")
        color = colorway[index % len(colorway)]
        keys = [month_key(m) for m in part["month"]]
        whole = [k not in partial for k in keys]
        fig.add_trace(
            go.Scatter(
                x=part["month"][whole],
                y=part["revenue"][whole],
                name=shop,
                legendgroup=shop,
                mode="lines+markers",
                line_color=color,
                hovertemplate=shop + "<br>%{x|%m.%Y}: %{y:,.0f} ₽<extra></extra>",
            )
        )
        for position, key in enumerate(keys):
            if key not in partial:
                continue
            tops[key] = max(tops.get(key, 0.0), float(part["revenue"].iloc[position]))
            span = part.iloc[max(0, position - 1) : position + 1]  # from the month before, when there is one
            fig.add_trace(
                go.Scatter(
                    x=span["month"],
                    y=span["revenue"],
                    name=shop,
                    legendgroup=shop,
                    showlegend=False,
                    mode="lines+markers",
                    line={"color": color, "dash": "dash"},
                    marker={"color": "white", "line": {"color": color, "width": 2}},
                    hovertemplate=shop + "<br>%{x|%m.%Y}: %{y:,.0f} ₽ (" + partial_label(partial[key]) + ")"
                    "<extra></extra>",
                )
            )
    mark_partial_months(fig, partial, tops)
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return layout(fig, "Выручка аптек по месяцам", None, "выручка, ₽", height=400)
