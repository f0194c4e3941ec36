"""What every chart shares: colours, the template, the layout, a message figure, Russian labels."""

from __future__ import annotations

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


def count_share(count: float, share: float) -> str:
    """A bar's label: the count and its share, e.g. '1 234 (45,2 %)'."""
    return f"{fmt.integer(count)} ({fmt.percent(share)})"
