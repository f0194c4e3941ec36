"""Chart of «История»: each segment's size over the snapshots."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import formatting as fmt
from core.segments import segment_label
from dashboard.figures.common import layout

LEVEL_TITLES = {"region": "Размер регионов по снимкам", "cluster": "Размер кластеров по снимкам"}


def sizes_over_snapshots(table: pd.DataFrame, level: str) -> go.Figure:
    """One line per segment (warmth order): clients in each snapshot, the snapshots along x by analysis date
    (core.history.sizes_over_snapshots' table: as_of, then one column per segment code)."""
    x = [f"№{snapshot_id} · {fmt.date(as_of)}" for snapshot_id, as_of in zip(table.index, table["as_of"], strict=True)]
    fig = go.Figure()
    for code in [c for c in table.columns if c != "as_of"]:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=table[code].tolist(),
                mode="lines+markers",
                name=segment_label(level, str(code)),
                hovertemplate="%{x}<br>" + segment_label(level, str(code)) + ": %{y:,.0f}<extra></extra>",
            )
        )
    fig.update_xaxes(type="category")
    return layout(fig, LEVEL_TITLES.get(level, "Размер сегментов по снимкам"), "снимок", "клиентов", height=420)
