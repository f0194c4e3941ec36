"""One function per chart: plain data in, a plotly Figure out (no Dash, no database) — testable without a browser."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.client_filter import SCATTER_LIMIT
from core.segments import (
    CLUSTER_NAMES,
    NEW_SOURCE,
    REGION_NAMES,
    WARMTH_COLORS,
    WARMTH_NAMES,
    warmth_of_region,
)

IDENTIFIED_COLOR = "#2a9d8f"
UNIDENTIFIED_COLOR = "#adb5bd"
ACCENT = "#0d6efd"
MONTH_FORMAT = "%m.%Y"

# A small template of our own: assigning plotly's "plotly_white" deep-copies a large template on every
# figure (~25 ms each), which alone would eat the cached-render budget.
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


def _layout(fig: go.Figure, title: str, x: str | None = None, y: str | None = None, height: int = 360) -> go.Figure:
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
    return _layout(fig, "", height=240)


# --- «Клиенты» -------------------------------------------------------------------------------------------------


def clients_by_shop_count(shops: pd.DataFrame) -> go.Figure:
    """Bars: number of clients by the number of pharmacies they bought in."""
    total = shops["clients"].sum() or 1
    fig = go.Figure(
        go.Bar(
            x=shops["shops"].astype(str),
            y=shops["clients"],
            text=[f"{c:,}".replace(",", " ") + f" ({c / total:.1%})".replace(".", ",") for c in shops["clients"]],
            textposition="outside",
            marker_color=ACCENT,
            hovertemplate="аптек: %{x}<br>клиентов: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    return _layout(fig, "Клиенты по количеству посещенных аптек", "аптек посещено", "клиентов")


def new_clients_monthly(new_clients: pd.DataFrame) -> go.Figure:
    """Bars: identified clients whose first cheque falls in each month."""
    fig = go.Figure(
        go.Bar(
            x=new_clients["month"],
            y=new_clients["clients"],
            marker_color=IDENTIFIED_COLOR,
            hovertemplate="%{x|%m.%Y}<br>новых клиентов: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return _layout(fig, "Новые идентифицированные клиенты по месяцам", None, "клиентов")


def cheques_monthly(monthly: pd.DataFrame) -> go.Figure:
    """Stacked bars: identified vs unidentified cheques per month."""
    fig = go.Figure()
    for flag, name, color in (
        (True, "идентифицированные", IDENTIFIED_COLOR),
        (False, "неидентифицированные", UNIDENTIFIED_COLOR),
    ):
        part = monthly[monthly["identified"] == flag]
        fig.add_trace(
            go.Bar(
                x=part["month"],
                y=part["cheques"],
                name=name,
                marker_color=color,
                hovertemplate="%{x|%m.%Y}<br>" + name + ": %{y}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return _layout(fig, "Идентифицированные и неидентифицированные чеки по месяцам", None, "чеков")


# --- «Аптеки» --------------------------------------------------------------------------------------------------


def unidentified_share_by_shop(table: pd.DataFrame, column: str, average: float, title: str) -> go.Figure:
    """Bars sorted descending: one pharmacy's unidentified share; a line at the chain average."""
    data = table[["shop", column]].dropna().sort_values(column, ascending=False)
    fig = go.Figure(
        go.Bar(
            x=data["shop"],
            y=data[column],
            marker_color=[UNIDENTIFIED_COLOR if v <= average else "#e76f51" for v in data[column]],
            text=[f"{v:.1%}".replace(".", ",") for v in data[column]],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            name="аптека",
        )
    )
    fig.add_hline(
        y=average,
        line_dash="dash",
        line_color="#212529",
        annotation_text=f"в среднем по сети {average:.1%}".replace(".", ","),
        annotation_position="top right",
    )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    return _layout(fig, title, None, "доля")


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
    return _layout(fig, "Средний и медианный чек по аптекам", None, "₽", height=400)


def shop_monthly_revenue(shop_monthly: pd.DataFrame, order: list[str]) -> go.Figure:
    """Lines: revenue per pharmacy per month (a closed pharmacy's line stops)."""
    fig = go.Figure()
    for shop in order:
        part = shop_monthly[shop_monthly["shop"] == shop].sort_values("month")
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["revenue"],
                name=shop,
                mode="lines+markers",
                hovertemplate=shop + "<br>%{x|%m.%Y}: %{y:,.0f} ₽<extra></extra>",
            )
        )
    fig.update_xaxes(tickformat=MONTH_FORMAT, dtick="M1")
    return _layout(fig, "Выручка аптек по месяцам", None, "выручка, ₽", height=400)


# --- «Пороги» --------------------------------------------------------------------------------------------------


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
            textposition="outside",
            hovertemplate="%{x} дециль: %{y} дн.<extra></extra>",
        )
    )
    positions = {"r1": "bottom right", "r2": "top left", "r3": "top right"}
    for name in ("r1", "r2", "r3"):
        _threshold_line(
            fig, thresholds[name], f"{name} = {thresholds[name]:g}", vertical=False, position=positions[name]
        )
    fig.update_xaxes(type="category")
    return _layout(fig, "Давность (дней до даты анализа) по децилям", "дециль клиентов", "дней")


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
    return _layout(fig, "Перерывы между покупками клиентов", "дней между покупками", "перерывов")


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
            customdata=list(zip(bins["left"], bins["right"], strict=False)),
            hovertemplate=(
                f"%{{customdata[0]:.{digits}f}} — %{{customdata[1]:.{digits}f}}: %{{y}} клиентов<extra></extra>"
            ),
        )
    )
    for (name, value), position in zip(lines.items(), ("top left", "top right"), strict=False):
        _threshold_line(fig, value, f"{name} = {value:g}", position=position)
    return _layout(fig, title, x_title, "клиентов")


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
    return _layout(fig, "Суммы чеков по децилям (до 9-го)", "дециль чеков", "сумма чека, ₽")


def grade_capacity(capacity: pd.DataFrame, title: str) -> go.Figure:
    """Bars: clients per grade, labelled with count and share."""
    fig = go.Figure(
        go.Bar(
            x=[f"{g} {n}" for g, n in zip(capacity["grade"], capacity["name"], strict=False)],
            y=capacity["clients"],
            text=[
                f"{c:,}".replace(",", " ") + f" ({s:.1%})".replace(".", ",")
                for c, s in zip(capacity["clients"], capacity["share"], strict=False)
            ],
            textposition="outside",
            marker_color=ACCENT,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, title, None, "клиентов")


# --- «Финал» ---------------------------------------------------------------------------------------------------


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
                text=[
                    f"{c:,}".replace(",", " ") + f" ({s:.1%})".replace(".", ",")
                    for c, s in zip(part["clients"], part["share"], strict=False)
                ],
                textposition="outside",
                hovertemplate="%{y}: %{x} клиентов<extra></extra>",
            )
        )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=[f"{r} {n}" for r, n in zip(data["region"], data["region_name"], strict=False)],
    )
    fig.update_xaxes(range=[0, max(1, float(data["clients"].max())) * 1.25])
    return _layout(fig, "Регионы (цвет — степень прогрева)", "клиентов", None, height=420)


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
    return _layout(fig, f"Чеки клиента {card}", None, "сумма чека, ₽", height=320)


# --- «Миграция» ------------------------------------------------------------------------------------------------


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
        from core.segments import REGION_OF_CLUSTER

        return WARMTH_COLORS[warmth_of_region(REGION_OF_CLUSTER[int(code)])]
    from core.segments import REGION_OF_CLUSTER, cluster_of

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
    return _layout(fig, "Миграция: до бонус-даты → после", height=520 if level != "class" else 900)


def migration_heatmap(matrix: pd.DataFrame, level: str, value: str = "clients") -> go.Figure:
    """Heatmap of the source × destination matrix with the numbers written in the cells."""
    source, destination = f"source_{level}", f"destination_{level}"
    pivot = matrix.pivot_table(index=source, columns=destination, values=value, aggfunc="sum", fill_value=0)
    rows = sorted(pivot.index, key=lambda c: (c == NEW_SOURCE, str(c)))
    columns = sorted(pivot.columns, key=str)
    pivot = pivot.reindex(index=rows, columns=columns, fill_value=0)
    digits = ",.0f"
    text = [[(f"{v:{digits}}".replace(",", " ") if v else "") for v in row] for row in pivot.to_numpy()]
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
    return _layout(fig, title, height=min(size, 1600))


# --- «Финал»: segment tree, RFM scatter, selection breakdown ----------------------------------------------------

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
    from core.segment_tree import Segment

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
    fig = _layout(fig, "Сегменты: прогрев → регион → кластер → класс (щелчок выбирает сегмент)", height=460)
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

    def count(n):
        return f"{n:,}".replace(",", "\u00a0")

    title = f"RFM: давность × частота, размер — средний чек ({count(shown)} клиентов)"
    if shown < total:
        title = (
            f"RFM: показана случайная выборка {count(shown)} из {count(total)} клиентов "
            f"(больше {count(SCATTER_LIMIT)} точек не рисуем)"
        )
    fig = _layout(fig, title, "давность D, дней с последней покупки", "частота F", height=480)
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
            text=[f"{c:,}".replace(",", " ") + f" ({c / total:.1%})".replace(".", ",") for c in data["clients"]],
            textposition="outside",
            customdata=data[["revenue"]],
            hovertemplate="%{y}: %{x} клиентов<br>выручка %{customdata[0]:,.0f} ₽<extra></extra>",
        )
    )
    fig.update_yaxes(type="category")
    fig.update_xaxes(range=[0, float(parts["clients"].max()) * 1.3])
    return _layout(fig, title, "клиентов", None, height=max(260, 26 * len(parts) + 110))
