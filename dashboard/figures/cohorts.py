"""Charts of «Когорты»: the cohort heatmap with the cohort sizes beside it, LTV curves by cohort age, the Pareto
curve and the client-base dynamics. Every clickable point carries the key of what it opens as its customdata."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import formatting as fmt
from core.cohorts import month_label, month_start
from dashboard.figures.common import (
    ACCENT,
    PARTIAL_OPACITY,
    PARTIAL_PATTERN,
    TEMPLATE,
    layout,
    message_figure,
    partial_label,
)

METRIC_NAMES = {
    "retention": "удержание, %",
    "active_clients": "активные клиенты",
    "revenue": "выручка, ₽",
    "avg_cheque": "средний чек, ₽",
    "ltv": "LTV, ₽ на клиента",
}
PARTIAL_MARK = "*"
CATEGORY_COLORS = {"new": "#2a9d8f", "one_time": "#f4a261", "repeat": "#0d6efd", "lapsed": "#d62828"}


def metric_text(metric: str, value: float) -> str:
    """A cell's value as the heatmap writes it."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if metric == "retention":
        return fmt.percent(value, 0 if value >= 0.1 or value == 0 else 1)
    if metric == "active_clients":
        return fmt.integer(value)
    return fmt.number(value, 0)


def cohort_heatmap(cells: pd.DataFrame, metric: str, segment: str, partial_days: int | None) -> go.Figure:
    """Cohorts down (oldest on top), months since the first purchase across; the cohort sizes as bars on the left.

    A cell's customdata is its pick key ('cell|<segment>|YYYY-MM|k'), a size bar's 'cell|<segment>|YYYY-MM|size';
    the cells of a partial month carry «*» and say so when hovered."""
    if cells.empty:
        return message_figure("В периоде нет когорт: нет клиентов, впервые купивших в эти месяцы.")
    cohorts = sorted(cells["cohort"].unique())
    labels = [month_label(int(c)) for c in cohorts]
    span = int(cells["months_since"].max()) + 1
    table = cells.set_index(["cohort", "months_since"])
    z = np.full((len(cohorts), span), np.nan)
    text = [[""] * span for _ in cohorts]
    keys = [[""] * span for _ in cohorts]
    hover = [[""] * span for _ in cohorts]
    for i, c in enumerate(cohorts):
        for k in range(span):
            if (c, k) not in table.index:
                continue
            row = table.loc[(c, k)]
            value = row[metric]
            z[i, k] = np.nan if pd.isna(value) else float(value) * (100 if metric == "retention" else 1)
            mark = f" {PARTIAL_MARK}" if bool(row["partial"]) else ""
            text[i][k] = metric_text(metric, value) + mark
            keys[i][k] = f"cell|{segment}|{labels[i]}|{k}"
            note = f"<br>{partial_label(partial_days)}" if mark and partial_days else ""
            hover[i][k] = (
                f"когорта {labels[i]}, месяц {k} ({month_label(int(c) + k)})<br>"
                f"удержание {fmt.percent(row['retention'])} · активных {fmt.integer(row['active_clients'])} "
                f"из {fmt.integer(row['cohort_clients'])}<br>выручка {fmt.money(row['revenue'])} · "
                f"средний чек {fmt.money(row['avg_cheque'])} · LTV {fmt.money(row['ltv'])}{note}"
                "<br><i>нажмите, чтобы открыть клиентов</i>"
            )
    sizes = cells.groupby("cohort")["cohort_clients"].first().reindex(cohorts)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.14, 0.86], horizontal_spacing=0.01)
    fig.add_trace(
        go.Bar(
            y=labels,
            x=sizes.to_numpy(),
            orientation="h",
            marker_color="#adb5bd",
            text=[fmt.integer(v) for v in sizes],
            textposition="inside",
            insidetextanchor="end",
            customdata=[f"cell|{segment}|{label}|size" for label in labels],
            hovertemplate="когорта %{y}: %{x:,} клиентов<br><i>нажмите, чтобы открыть всех</i><extra></extra>",
            name="размер когорты",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=list(range(span)),
            y=labels,
            text=text,
            texttemplate="%{text}",
            customdata=keys,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale="Blues",
            colorbar={"title": {"text": METRIC_NAMES[metric]}, "thickness": 12},
            xgap=1,
            ygap=1,
            hoverongaps=False,
        ),
        row=1,
        col=2,
    )
    # both axes reversed (oldest cohort on top): a shared axis does not pass `autorange` on to its twin
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_yaxes(title_text="когорта (месяц первой покупки)", col=1)
    fig.update_xaxes(title_text="клиентов", showticklabels=False, col=1)
    fig.update_xaxes(title_text="месяцев с первой покупки", dtick=1, col=2)
    height = max(320, 80 + 26 * len(cohorts))
    layout(fig, f"Когорты: {METRIC_NAMES[metric]}", height=height)
    fig.update_layout(margin={"l": 80, "r": 20, "t": 50, "b": 50})
    return fig


def ltv_curves(curves: pd.DataFrame) -> go.Figure:
    """One line per cohort-age group: the client-weighted mean LTV by months since the first purchase."""
    if curves.empty:
        return message_figure("Кривые LTV появятся, когда в периоде будут когорты.")
    fig = go.Figure()
    for group, part in curves.groupby("group", sort=False):
        fig.add_trace(
            go.Scatter(
                x=part["months_since"],
                y=part["ltv"],
                mode="lines+markers",
                name=f"возраст {group} мес.",
                customdata=np.stack([part["cohorts"], part["clients"]], axis=1),
                hovertemplate=(
                    f"возраст когорт {group} мес.<br>месяц %{{x}}: LTV %{{y:,.0f}} ₽<br>"
                    "когорт %{customdata[0]}, клиентов %{customdata[1]:,}<extra></extra>"
                ),
            )
        )
    return layout(fig, "LTV по возрасту когорт", "месяцев с первой покупки", "LTV, ₽ на клиента")


def pareto_curve(curve: pd.DataFrame, bands: pd.DataFrame) -> go.Figure:
    """Share of clients (sorted by revenue) → share of revenue; the bands shaded; a point's customdata is its band's
    key ('band|1' …), so a click on the curve opens that band's clients."""
    if curve.empty or len(curve) < 2:
        return message_figure("В периоде нет клиентов с выручкой.")
    fig = go.Figure()
    highs = [float(h) / 100 for h in bands["high"]] if not bands.empty else [1.0]
    band_of = np.searchsorted(np.array(highs), curve["client_share"].to_numpy() - 1e-12) + 1
    band_of = np.clip(band_of, 1, len(highs))
    for j, (low, high) in enumerate(zip(bands["low"], bands["high"], strict=True), start=1):
        fig.add_vrect(x0=low, x1=high, fillcolor=ACCENT, opacity=0.04 + 0.04 * (j % 2), line_width=0, layer="below")
    fig.add_trace(
        go.Scatter(
            x=curve["client_share"] * 100,
            y=curve["revenue_share"] * 100,
            mode="lines+markers",
            marker={"size": 5},
            line={"color": ACCENT},
            customdata=[f"band|{b}" for b in band_of],
            hovertemplate="%{x:.0f} % клиентов приносят %{y:.1f} % выручки<br><i>нажмите, чтобы открыть группу</i>"
            "<extra></extra>",
            name="кривая Парето",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            line={"dash": "dot", "color": "#adb5bd"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.update_xaxes(range=[0, 100], ticksuffix=" %")
    fig.update_yaxes(range=[0, 101], ticksuffix=" %")
    return layout(fig, "Кривая Парето", "доля клиентов (по убыванию выручки)", "доля выручки")


def dynamics_chart(rows: pd.DataFrame, shop: str, partial_days: int | None) -> go.Figure:
    """Stacked bars new / one-time / repeat (= active) per month and the lapsed clients as a line; a bar's or point's
    customdata is its pick key ('bar|YYYY-MM|<shop>|new'); the partial month hatched and labelled."""
    if rows.empty:
        return message_figure("Нет данных о клиентской базе за период.")
    months = [month_label(int(m)) for m in rows["month"]]
    x = [month_start(int(m)).isoformat() for m in rows["month"]]
    last = len(rows) - 1
    partial = [partial_days is not None and i == last for i in range(len(rows))]
    fig = go.Figure()
    names = {"new": "новые", "one_time": "разовые", "repeat": "повторные"}
    for category, name in names.items():
        fig.add_trace(
            go.Bar(
                x=x,
                y=rows[f"{category}_clients"],
                name=name,
                marker_color=CATEGORY_COLORS[category],
                marker_pattern_shape=[PARTIAL_PATTERN if p else "" for p in partial],
                marker_opacity=[PARTIAL_OPACITY if p else 1.0 for p in partial],
                customdata=[f"bar|{m}|{shop}|{category}" for m in months],
                hovertemplate=f"{name}: %{{y:,}}<br>%{{x|%m.%Y}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=rows["lapsed_clients"],
            name="ушедшие",
            mode="lines+markers",
            line={"color": CATEGORY_COLORS["lapsed"]},
            customdata=[f"bar|{m}|{shop}|lapsed" for m in months],
            hovertemplate="ушедшие: %{y:,}<br>%{x|%m.%Y}<extra></extra>",
        )
    )
    if partial_days is not None:
        fig.add_annotation(
            x=x[last],
            y=float(rows["active_clients"].iloc[last]),
            text=partial_label(partial_days),
            showarrow=True,
            arrowhead=0,
            ax=0,
            ay=-28,
            font={"size": 11, "color": "#6c757d"},
            bgcolor="rgba(255,255,255,0.85)",
        )
    fig.update_layout(barmode="stack", template=TEMPLATE)
    fig.update_xaxes(tickformat="%m.%Y", dtick="M1")
    return layout(fig, f"Клиентская база: {shop}", None, "клиентов", height=380)
