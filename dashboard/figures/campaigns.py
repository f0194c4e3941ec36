"""Tab «Кампании»'s chart: the uplifts (target − control) with their 95% intervals drawn as error bars."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import formatting as fmt
from dashboard.figures.common import ACCENT, layout

PROVEN = "#198754"
NOT_PROVEN = "#6c757d"


def _point(diff: float | None, ci: tuple[float, float] | None, scale: float, text: str, color: str) -> go.Scatter:
    value = (diff or 0.0) * scale
    low, high = (ci[0] * scale, ci[1] * scale) if ci else (value, value)
    return go.Scatter(
        x=[value],
        y=[""],
        mode="markers",
        marker={"size": 12, "color": color},
        error_x={"type": "data", "symmetric": False, "array": [high - value], "arrayminus": [value - low], "width": 8},
        hovertemplate=text + "<extra></extra>",
        showlegend=False,
    )


def uplift_figure(
    rate_diff: float | None,
    rate_ci: tuple[float, float] | None,
    revenue_diff: float | None,
    revenue_ci: tuple[float, float] | None,
    proven: bool,
) -> go.Figure:
    """Two panels: the response rate's difference (percentage points) and revenue per client's (₽), each a point
    with its 95% interval, and the zero line the verdict is read against."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Отклик: цель − контроль, п. п.", "Выручка на клиента: цель − контроль, ₽"),
        horizontal_spacing=0.12,
    )

    def interval_text(ci, scale, unit):
        if not ci:
            return "интервал не определён"
        return f"95% интервал: {fmt.number(ci[0] * scale, 1)} … {fmt.number(ci[1] * scale, 1)} {unit}"

    rate_text = f"{fmt.number((rate_diff or 0) * 100, 1)} п. п.<br>{interval_text(rate_ci, 100, 'п. п.')}"
    revenue_text = f"{fmt.money(revenue_diff or 0)}<br>{interval_text(revenue_ci, 1, '₽')}"
    fig.add_trace(_point(rate_diff, rate_ci, 100, rate_text, PROVEN if proven else NOT_PROVEN), row=1, col=1)
    fig.add_trace(_point(revenue_diff, revenue_ci, 1, revenue_text, ACCENT), row=1, col=2)
    for col in (1, 2):
        fig.add_vline(x=0, line={"color": "#dc3545", "dash": "dash", "width": 1}, row=1, col=col)
    layout(fig, "Эффект кампании с 95% интервалами (пунктир — ноль)", height=240)
    fig.update_yaxes(showticklabels=False)
    return fig
