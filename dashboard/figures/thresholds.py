"""Charts of «Пороги»: deciles and distributions with the thresholds marked, grade capacities."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import formatting as fmt
from dashboard.figures.common import (
    ACCENT,
    IDENTIFIED_COLOR,
    OUTSIDE_TEXT,
    UNIDENTIFIED_COLOR,
    count_share,
    layout,
    value_range,
)


def _threshold_line(
    fig: go.Figure, value: float, label: str, color: str = "#dc3545", vertical: bool = True, position: str | None = None
) -> None:
    if vertical:
        fig.add_vline(
            x=value, line_dash="dash", line_color=color, annotation_text=label, annotation_position=position or "top"
        )
    else:
        fig.add_hline(
            y=value,
            line_dash="dash",
            line_color=color,
            annotation_text=label,
            annotation_position=position or "top left",
        )


def recency_deciles(deciles: pd.DataFrame, thresholds: dict) -> go.Figure:
    """Bars: recency distance D at each decile, with r1/r2/r3 as lines."""
    fig = go.Figure(
        go.Bar(
            x=[f"{d}-й" for d in deciles["decile"]],
            y=deciles["value"],
            marker_color=ACCENT,
            text=deciles["value"].map(lambda v: f"{v:.0f}"),
            **OUTSIDE_TEXT,
            hovertemplate="%{x} дециль: %{y} дн.<extra></extra>",
        )
    )
    positions = {"r1": "bottom right", "r2": "top left", "r3": "top right"}
    for name in ("r1", "r2", "r3"):
        _threshold_line(
            fig, thresholds[name], f"{name} = {thresholds[name]:g}", vertical=False, position=positions[name]
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=value_range(deciles["value"], *(thresholds[n] for n in ("r1", "r2", "r3"))))
    return layout(fig, "Давность (дней до даты анализа) по децилям", "дециль клиентов", "дней")


def gap_distribution(gaps: pd.DataFrame, churn_period: int, r3: float) -> go.Figure:
    """Bars: number of gaps between purchases by length in days; the churn period marked."""
    fig = go.Figure(
        go.Bar(
            x=gaps["gap_days"],
            y=gaps["gaps"],
            marker_color="#6c757d",
            hovertemplate="перерыв %{x} дн.: %{y}<extra></extra>",
        )
    )
    _threshold_line(fig, churn_period, f"период оттока C = {churn_period}")
    if r3 != churn_period:
        _threshold_line(fig, r3, f"r3 = {r3:g}", color="#fd7e14")
    return layout(fig, "Перерывы между покупками клиентов", "дней между покупками", "перерывов")


def binned_distribution(
    bins: pd.DataFrame, lines: dict[str, float], title: str, x_title: str, digits: int = 2
) -> go.Figure:
    """Bars of a pre-binned distribution (left, right, clients) with threshold lines."""
    centers = (bins["left"] + bins["right"]) / 2
    widths = bins["right"] - bins["left"]
    fig = go.Figure(
        go.Bar(
            x=centers,
            y=bins["clients"],
            width=widths,
            marker_color=ACCENT,
            customdata=[
                [left, right, fmt.count(n, *fmt.CLIENTS)]
                for left, right, n in zip(bins["left"], bins["right"], bins["clients"], strict=True)
            ],
            hovertemplate=(
                f"%{{customdata[0]:.{digits}f}} — %{{customdata[1]:.{digits}f}}: %{{customdata[2]}}<extra></extra>"
            ),
        )
    )
    for (name, value), position in zip(lines.items(), ("top left", "top right"), strict=False):
        _threshold_line(fig, value, f"{name} = {value:g}", position=position)
    return layout(fig, title, x_title, "клиентов")


def frequency_distribution(bins: pd.DataFrame, f1: float, f2: float) -> go.Figure:
    return binned_distribution(
        bins, {"f2": f2, "f1": f1}, "Распределение частоты покупок F", "частота (покупок за базовый интервал)"
    )


def age_distribution(bins: pd.DataFrame, a1: float, a2: float) -> go.Figure:
    return binned_distribution(
        bins, {"a1": a1, "a2": a2}, "Распределение возраста клиентов", "дней с первой покупки", digits=0
    )


def monetary_deciles(deciles: pd.DataFrame, m1: float, m2: float) -> go.Figure:
    """Grouped bars: cheque amount at deciles 1…9 for identified and unidentified cheques; m1/m2 as lines."""
    labels = [f"{d}-й" for d in deciles["decile"]]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=deciles["identified"],
                name="идентифицированные",
                marker_color=IDENTIFIED_COLOR,
                hovertemplate="%{x}: %{y:,.0f} ₽<extra>идентифицированные</extra>",
            ),
            go.Bar(
                x=labels,
                y=deciles["unidentified"],
                name="неидентифицированные",
                marker_color=UNIDENTIFIED_COLOR,
                hovertemplate="%{x}: %{y:,.0f} ₽<extra>неидентифицированные</extra>",
            ),
        ]
    )
    fig.update_layout(barmode="group")
    _threshold_line(fig, m1, f"m1 = {m1:g}", vertical=False)
    _threshold_line(fig, m2, f"m2 = {m2:g}", vertical=False, color="#fd7e14")
    fig.update_xaxes(type="category")
    return layout(fig, "Суммы чеков по децилям (до 9-го)", "дециль чеков", "сумма чека, ₽")


def grade_capacity(capacity: pd.DataFrame, title: str) -> go.Figure:
    """Bars: clients per grade, labelled with count and share."""
    fig = go.Figure(
        go.Bar(
            x=[f"{g} {n}" for g, n in zip(capacity["grade"], capacity["name"], strict=False)],
            y=capacity["clients"],
            text=[count_share(c, s) for c, s in zip(capacity["clients"], capacity["share"], strict=False)],
            **OUTSIDE_TEXT,
            marker_color=ACCENT,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(range=value_range(capacity["clients"]))
    return layout(fig, title, None, "клиентов")
