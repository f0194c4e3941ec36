"""What every chart shares: colours, the template, the layout, a message figure, Russian labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from core import formatting as fmt

IDENTIFIED_COLOR = "#2a9d8f"
UNIDENTIFIED_COLOR = "#adb5bd"
ACCENT = "#0d6efd"
MONTH_FORMAT = "%m.%Y"

# A small template of our own: assigning plotly's "plotly_white" deep-copies a large template on every figure,
# which alone would eat the cached-render budget (docs/PERFORMANCE.md).
_AXIS = {"gridcolor": "#e9ecef", "linecolor": "#ced4da", "zerolinecolor": "#dee2e6", "automargin": True}
TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12, "color": "#212529"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": ["#0d6efd", "#2a9d8f", "#e76f51", "#6f42c1", "#fd7e14", "#20c997", "#d63384", "#6c757d", "#198754"],
        "xaxis": _AXIS,
        "yaxis": _AXIS,
    }
)


def layout(fig: go.Figure, title: str, x: str | None = None, y: str | None = None, height: int = 360) -> go.Figure:
    """The house layout: title, template, Russian separators, height, margins, legend below."""
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        template=TEMPLATE,
        separators=", ",
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        hoverlabel={"namelength": -1},
    )
    if x is not None:
        fig.update_xaxes(title_text=x)
    if y is not None:
        fig.update_yaxes(title_text=y)
    return fig


def message_figure(text: str) -> go.Figure:
    """An empty figure that says why (used where a chart has nothing to draw)."""
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, font={"size": 14}, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, "", height=240)


# Text outside a bar is drawn past the plot's edge instead of cut there (cliponaxis), and the value axis leaves room
# above the longest bar for its label (HEADROOM of the axis for a vertical bar's one-line label; horizontal bars
# need more: their labels «1 234 (45,2 %)» run along the value axis).
OUTSIDE_TEXT = {"textposition": "outside", "cliponaxis": False}
HEADROOM = 1.15
HEADROOM_HORIZONTAL = 1.35


def value_range(values: Iterable[float], *marks: float, headroom: float = HEADROOM) -> list[float]:
    """The value axis of bars labelled outside: from 0 to the highest bar (or threshold line) plus the headroom."""
    top = max([0.0, *(float(v) for v in values), *(float(m) for m in marks)])
    return [0.0, (top or 1.0) * headroom]


def count_share(count: float, share: float) -> str:
    """A bar's label: the count and its share, e.g. '1 234 (45,2 %)'."""
    return f"{fmt.integer(count)} ({fmt.percent(share)})"


PARTIAL_PATTERN = "/"
PARTIAL_OPACITY = 0.45


def partial_label(days: int) -> str:
    """The note on a month the data covers only in part, e.g. 'неполный месяц (6 дней)'."""
    return f"неполный месяц ({fmt.count(days, 'день', 'дня', 'дней')})"


def month_key(value) -> dt.date:
    """The first day of a series' month (a Timestamp, datetime or date)."""
    return pd.Timestamp(value).date().replace(day=1)


def partial_bar_style(months: Iterable, partial: dict[dt.date, int]) -> dict:
    """Bar marker properties drawing partial months hatched and lighter (whole months as usual)."""
    flags = [month_key(m) in partial for m in months]
    return {
        "marker_pattern_shape": [PARTIAL_PATTERN if f else "" for f in flags],
        "marker_opacity": [PARTIAL_OPACITY if f else 1.0 for f in flags],
    }


def mark_partial_months(fig: go.Figure, partial: dict[dt.date, int], tops: dict[dt.date, float]) -> go.Figure:
    """An annotation «неполный месяц (N дней)» above each partial month of the chart (at its bar's or point's top)."""
    for month, days in sorted(partial.items()):
        if month not in tops:
            continue
        fig.add_annotation(
            x=month.isoformat(),
            y=tops[month],
            text=partial_label(days),
            showarrow=True,
            arrowhead=0,
            ax=0,
            ay=-28,
            font={"size": 11, "color": "#6c757d"},
            bgcolor="rgba(255,255,255,0.85)",
        )
    return fig
