"""Charts of «Финал»: regions by warmth, one client's cheques, the segment sunburst, the RFM scatter and the
selection's breakdown."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import formatting as fmt
from core.client_filter import SCATTER_LIMIT
from core.segment_tree import Segment
from core.segments import REGION_NAMES, WARMTH_COLORS, WARMTH_NAMES
from dashboard.figures.common import (
    ACCENT,
    HEADROOM_HORIZONTAL,
    OUTSIDE_TEXT,
    count_share,
    layout,
    message_figure,
    value_range,
)


def region_chart(regions: pd.DataFrame) -> go.Figure:
    """Horizontal bars: clients per region, coloured by warmth, with shares."""
    data = regions.sort_values("region", ascending=False)
    fig = go.Figure()
    for warmth in sorted(data["warmth"].unique()):
        part = data[data["warmth"] == warmth]
        fig.add_trace(
            go.Bar(
                y=[f"{r} {n}" for r, n in zip(part["region"], part["region_name"], strict=False)],
                x=part["clients"],
                orientation="h",
                name=f"{warmth} {WARMTH_NAMES[int(warmth)]}",
                marker_color=WARMTH_COLORS[int(warmth)],
                text=[count_share(c, s) for c, s in zip(part["clients"], part["share"], strict=False)],
                **OUTSIDE_TEXT,
                customdata=[[fmt.count(c, *fmt.CLIENTS)] for c in part["clients"]],
                hovertemplate="%{y}: %{customdata[0]}<extra></extra>",
            )
        )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[f"{r} {n}" for r, n in zip(data["region"], data["region_name"], strict=False)],
    )
    fig.update_xaxes(range=value_range(data["clients"], headroom=HEADROOM_HORIZONTAL))
    return layout(fig, "Регионы (цвет — степень прогрева)", "клиентов", None, height=420)


def client_cheques(cheques: pd.DataFrame, card: str) -> go.Figure:
    """Markers over time: the client's cheques (amount), hover shows the pharmacy."""
    fig = go.Figure(
        go.Scatter(
            x=cheques["datetime"],
            y=cheques["amount"],
            mode="markers+lines",
            marker={"size": 9, "color": ACCENT},
            customdata=cheques[["shop"]],
            line={"color": "#adb5bd", "width": 1},
            hovertemplate="%{x|%d.%m.%Y}<br>%{customdata[0]}<br>%{y:,.2f} ₽<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat="%d.%m.%Y")
    return layout(fig, f"Чеки клиента {card}", None, "сумма чека, ₽", height=320)


REGION_COLORS = {
    110: "#d62728",
    210: "#ff7f0e",
    220: "#f4a261",
    230: "#e9c46a",
    310: "#e3b505",
    320: "#a7c957",
    410: "#6baed6",
    420: "#4a90c2",
    510: "#2b5fa8",
}
ROOT_COLOR = "#f1f3f5"


def _node_color(node_id: str) -> str:
    segment = Segment.parse(node_id)
    if segment.level == "all":
        return ROOT_COLOR
    warmth = int(segment.path()[1].code)
    return WARMTH_COLORS[warmth]


def segment_sunburst(tree: pd.DataFrame, level: str | None = None) -> go.Figure:
    """Sunburst of warmth → region → cluster → class (client counts); `level` = the node id shown at the centre."""
    nodes = tree[(tree["clients"] > 0) | (tree["id"] == "all")]
    total = max(1, int(nodes.loc[nodes["id"] == "all", "clients"].sum()))
    fig = go.Figure(
        go.Sunburst(
            ids=nodes["id"],
            labels=nodes["label"],
            parents=nodes["parent"],
            values=nodes["clients"],
            branchvalues="total",
            maxdepth=3,
            level=level if level in set(nodes["id"]) else "",
            marker={"colors": [_node_color(i) for i in nodes["id"]], "line": {"color": "#ffffff", "width": 1}},
            customdata=[[c / total] for c in nodes["clients"]],
            hovertemplate="%{label}<br>клиентов: %{value}<br>доля базы: %{customdata[0]:.1%}<extra></extra>",
            insidetextorientation="radial",
            sort=False,
        )
    )
    fig = layout(fig, "Сегменты: прогрев → регион → кластер → класс (щелчок выбирает сегмент)", height=460)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def rfm_scatter(points: pd.DataFrame, total: int) -> go.Figure:
    """RFM scatter (WebGL): recency on X, frequency on Y, average cheque as point size, colour by region.

    `points` may be a sample of `total` clients; the title says so. Each point's customdata is its card.
    """
    if points.empty:
        return message_figure("В выборке нет клиентов")
    cheque = points["avg_cheque"].astype(float)
    cap = float(cheque.quantile(0.99)) or 1.0
    size = 4 + 16 * (cheque.clip(upper=cap) / cap) ** 0.5
    fig = go.Figure()
    for region in sorted(points["region"].astype(int).unique()):
        part = points["region"].astype(int) == region
        name = f"{region} {REGION_NAMES[region]}"
        fig.add_trace(
            go.Scattergl(
                x=points.loc[part, "recency_days"],
                y=points.loc[part, "frequency"],
                mode="markers",
                name=name,
                marker={"size": size[part], "color": REGION_COLORS[region], "opacity": 0.6, "line": {"width": 0}},
                customdata=points.loc[part, ["card", "avg_cheque", "class"]].to_numpy(),
                hovertemplate="карта %{customdata[0]}<br>давность %{x} дн.<br>частота %{y:.3f}"
                "<br>средний чек %{customdata[1]:,.2f} ₽<br>класс %{customdata[2]}<extra>" + name + "</extra>",
            )
        )
    shown = len(points)

    title = f"RFM: давность × частота, размер — средний чек ({fmt.count(shown, *fmt.CLIENTS)})"
    if shown < total:
        title = (
            f"RFM: показана случайная выборка {fmt.integer(shown)} из {fmt.count(total, *fmt.CLIENTS_GENITIVE)} "
            f"(больше {fmt.count(SCATTER_LIMIT, 'точки', 'точек', 'точек')} не рисуем)"
        )
    fig = layout(fig, title, "давность D, дней с последней покупки", "частота F", height=480)
    fig.update_layout(legend={"orientation": "v", "y": 1, "x": 1.02}, clickmode="event", showlegend=True)
    return fig


def selection_breakdown(parts: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars: clients of the selection by the level below its segment."""
    if parts.empty:
        return message_figure("В выборке нет клиентов")
    total = parts["clients"].sum() or 1
    data = parts.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=data["label"],
            x=data["clients"],
            orientation="h",
            marker_color=ACCENT,
            text=[count_share(c, c / total) for c in data["clients"]],
            **OUTSIDE_TEXT,
            customdata=[[r, fmt.count(c, *fmt.CLIENTS)] for c, r in zip(data["clients"], data["revenue"], strict=True)],
            hovertemplate="%{y}: %{customdata[1]}<br>выручка %{customdata[0]:,.0f} ₽<extra></extra>",
        )
    )
    fig.update_yaxes(type="category")
    fig.update_xaxes(range=value_range(parts["clients"], headroom=HEADROOM_HORIZONTAL))
    return layout(fig, title, "клиентов", None, height=max(260, 26 * len(parts) + 110))
