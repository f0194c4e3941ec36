"""Charts of «Миграция»: the Sankey of flows and the source × destination heatmap."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import formatting as fmt
from core.segments import (
    CLUSTER_NAMES,
    NEW_SOURCE,
    REGION_NAMES,
    REGION_OF_CLUSTER,
    WARMTH_COLORS,
    cluster_of,
    warmth_of_region,
)
from dashboard.figures.common import layout


def _label(level: str, code: str) -> str:
    if code == NEW_SOURCE:
        return NEW_SOURCE
    if level == "region":
        return f"{code} {REGION_NAMES.get(int(code), '')}"
    if level == "cluster":
        return f"{code} {CLUSTER_NAMES.get(int(code), '')}"
    return str(code)


def _warmth_color(level: str, code: str) -> str:
    if code == NEW_SOURCE:
        return "#6c757d"
    if level == "region":
        return WARMTH_COLORS[warmth_of_region(int(code))]
    if level == "cluster":
        return WARMTH_COLORS[warmth_of_region(REGION_OF_CLUSTER[int(code)])]
    r, f, m, a = (int(ch) for ch in str(code))
    return WARMTH_COLORS[warmth_of_region(REGION_OF_CLUSTER[cluster_of(r, f, m, a)])]


def migration_sankey(matrix: pd.DataFrame, level: str, value: str = "clients") -> go.Figure:
    """Sankey: source segment (before the bonus date, or «новый») → destination segment (after)."""
    source, destination = f"source_{level}", f"destination_{level}"
    data = matrix[matrix[value] > 0] if not matrix.empty else matrix
    sources = sorted(data[source].unique(), key=lambda c: (c == NEW_SOURCE, str(c)))
    destinations = sorted(data[destination].unique(), key=str)
    labels = [f"{_label(level, c)} (до)" for c in sources] + [f"{_label(level, c)} (после)" for c in destinations]
    colors = [_warmth_color(level, c) for c in sources] + [_warmth_color(level, c) for c in destinations]
    index_source = {c: i for i, c in enumerate(sources)}
    index_destination = {c: i + len(sources) for i, c in enumerate(destinations)}
    unit = "клиентов" if value == "clients" else "₽ выручки"
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "color": colors, "pad": 12, "thickness": 16},
            link={
                "source": [index_source[c] for c in data[source]],
                "target": [index_destination[c] for c in data[destination]],
                "value": data[value].astype(float).tolist(),
                "color": "rgba(108,117,125,0.25)",
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,.0f} " + unit + "<extra></extra>",
            },
        )
    )
    return layout(fig, "Миграция: до бонус-даты → после", height=520 if level != "class" else 900)


def migration_heatmap(matrix: pd.DataFrame, level: str, value: str = "clients") -> go.Figure:
    """Heatmap of the source × destination matrix with the numbers written in the cells."""
    source, destination = f"source_{level}", f"destination_{level}"
    pivot = matrix.pivot_table(index=source, columns=destination, values=value, aggfunc="sum", fill_value=0)
    rows = sorted(pivot.index, key=lambda c: (c == NEW_SOURCE, str(c)))
    columns = sorted(pivot.columns, key=str)
    pivot = pivot.reindex(index=rows, columns=columns, fill_value=0)
    text = [[(fmt.integer(v) if v else "") for v in row] for row in pivot.to_numpy()]
    fig = go.Figure(
        go.Heatmap(
            z=pivot.to_numpy(),
            x=[_label(level, c) for c in columns],
            y=[_label(level, c) for c in rows],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            hovertemplate="%{y} → %{x}: %{z:,.0f}<extra></extra>",
            colorbar={"title": {"text": "клиентов" if value == "clients" else "₽"}},
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", title_text="до бонус-даты")
    fig.update_xaxes(type="category", title_text="после бонус-даты")
    size = max(420, 28 * len(rows) + 160)
    title = "Матрица миграции (клиенты)" if value == "clients" else "Матрица миграции (выручка после бонус-даты, ₽)"
    return layout(fig, title, height=min(size, 1600))
