"""Chart of «Миграция»: the Sankey of flows, nodes in warmth order and colour on both sides."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.migration import Flow
from core.segments import segment_color, segment_label, segment_order
from dashboard.figures.common import layout

NODE_PAD = 14  # px between nodes: more than a label's height, so labels of small neighbours never overlap
ROW_PX = 30  # px of height per node of the longer side


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def migration_sankey(
    matrix: pd.DataFrame,
    level: str,
    value: str = "clients",
    sides: tuple[str, str] = ("до бонус-даты", "после бонус-даты"),
    title: str = "Миграция: до бонус-даты → после (нажмите на поток)",
) -> go.Figure:
    """Sankey: source segment (before the bonus date, or «новый») → destination segment (after), both sides in
    warmth order (then region code) and coloured by warmth; each link's customdata is its flow key. `sides` and
    `title` name the two snapshots (another tab reuses it)."""
    source, destination = f"source_{level}", f"destination_{level}"
    data = matrix[matrix[value] > 0] if not matrix.empty else matrix
    sources = sorted(data[source].unique(), key=lambda code: segment_order(level, code))
    destinations = sorted(data[destination].unique(), key=lambda code: segment_order(level, code))
    codes = [*sources, *destinations]
    index_source = {c: i for i, c in enumerate(sources)}
    index_destination = {c: i + len(sources) for i, c in enumerate(destinations)}
    amount = "клиентов: %{value:,.0f}" if value == "clients" else "выручка: %{value:,.0f} ₽"  # no noun after a number
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            node={
                "label": [segment_label(level, c) for c in codes],
                "color": [segment_color(level, c) for c in codes],
                "sort": "input",  # the order given: warmth, region code (d3's own order would shuffle it)
                "pad": NODE_PAD,
                "thickness": 16,
                "hovertemplate": "%{label}<br>" + amount + "<extra></extra>",
            },
            link={
                "source": [index_source[c] for c in data[source]],
                "target": [index_destination[c] for c in data[destination]],
                "value": data[value].astype(float).tolist(),
                "color": [_rgba(segment_color(level, c), 0.35) for c in data[source]],
                "customdata": [Flow(level, s, d).key for s, d in zip(data[source], data[destination], strict=True)],
                "hovertemplate": "%{source.label} → %{target.label}<br>"
                + amount
                + "<br>нажмите, чтобы открыть клиентов потока<extra></extra>",
            },
            textfont={"size": 11},
        )
    )
    for x, text in ((0, sides[0]), (1, sides[1])):
        fig.add_annotation(x=x, y=1, yanchor="bottom", xref="paper", yref="paper", text=text, showarrow=False)
    height = max(520, ROW_PX * max(len(sources), len(destinations), 1) + 180)
    fig = layout(fig, title, height=height)
    return fig.update_layout(margin={"t": 80, "l": 20, "r": 20, "b": 20})
