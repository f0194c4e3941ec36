"""Tab «Пороги»: the nine threshold inputs, a reset button, sub-tabs Recency / Frequency / Monetary / Age, and the
renderers of the editor's messages and of each sub-tab's statistics and charts."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from core import formatting as fmt
from core.model import THRESHOLD_NAMES, ThresholdOrderError
from core.research import Research
from core.thresholds import ThresholdSuggestion
from dashboard import ids
from dashboard.appdb import ChainThresholds
from dashboard.figures import thresholds as charts
from layouts.components import download_buttons, graph, loading, message, table

GROUPS = (
    ("Recency (давность, дней)", ("r1", "r2", "r3")),
    ("Frequency (частота)", ("f1", "f2")),
    ("Monetary (средний чек, ₽)", ("m1", "m2")),
    ("Age (возраст клиента, дней)", ("a1", "a2")),
)
SUBTABS = (
    (ids.SUBTAB_RECENCY, "Recency"),
    (ids.SUBTAB_FREQUENCY, "Frequency"),
    (ids.SUBTAB_MONETARY, "Monetary"),
    (ids.SUBTAB_AGE, "Age"),
)


def threshold_field(name: str) -> html.Div:
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText(name, className="rfma-threshold-name"),
                    dbc.Input(
                        id=ids.threshold_input(name),
                        name=f"threshold-{name}",
                        type="text",  # a number input would read «0,5» as 5 in some locales
                        debounce=True,
                        inputmode="decimal",
                        className="rfma-threshold-input",
                    ),
                ],
                size="sm",
            ),
            html.Small(id=ids.threshold_hint(name), className="rfma-threshold-hint text-muted"),
        ],
        className="rfma-threshold-field",
    )


def layout() -> html.Div:
    groups = [
        dbc.Col(
            [html.Div(title, className="rfma-group-title")] + [threshold_field(name) for name in names],
            xs=12,
            sm=6,
            lg=3,
        )
        for title, names in GROUPS
    ]
    controls = dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(groups, className="g-3"),
                html.Div(
                    [
                        dbc.Button(
                            "Сбросить к предложенным",
                            id=ids.THRESHOLDS.RESET,
                            color="secondary",
                            outline=True,
                            size="sm",
                        ),
                        html.Span(id=ids.THRESHOLDS.STATUS, className="ms-3 text-muted small"),
                    ],
                    className="mt-3 d-flex align-items-center flex-wrap",
                ),
                html.Div(id=ids.THRESHOLDS.ERROR),
                html.Div(id=ids.THRESHOLDS.WARNINGS),
            ]
        ),
        className="mb-3 rfma-thresholds",
    )
    subtabs = dbc.Tabs(
        [dbc.Tab(label=label, tab_id=tab_id, tab_class_name=f"rfma-{tab_id}") for tab_id, label in SUBTABS],
        id=ids.THRESHOLDS.SUBTABS,
        active_tab=ids.SUBTAB_RECENCY,
        persistence=True,
        persistence_type="session",
    )
    history = html.Details(
        [
            html.Summary("История набора порогов сети", className="fw-semibold"),
            html.Div(id=ids.THRESHOLDS.HISTORY, className="pt-2"),
        ],
        className="mb-3 rfma-threshold-history",
    )
    return html.Div([controls, history, subtabs, loading(html.Div(id=ids.THRESHOLDS.BODY, className="rfma-body pt-3"))])


# --- the editor's messages ------------------------------------------------------------------------------------


def input_classes(names: list[str], pinned: set[str]) -> list[str]:
    """CSS classes of the inputs: pinned ones are highlighted."""
    return ["rfma-threshold-input" + (" rfma-pinned" if name in pinned else "") for name in names]


def input_hints(names: list[str], pinned: set[str]) -> list[str]:
    """The hint under each input."""
    return ["закреплено" if name in pinned else "предложено" for name in names]


def render_rejection(exc: Exception) -> dbc.Alert:
    """Why a typed value was refused (the last valid set stays in force)."""
    if isinstance(exc, ThresholdOrderError):
        return message(f"{exc} Последний верный набор порогов остается в силе.", "danger", "Пороги не упорядочены")
    return message(str(exc), "danger")


def render_warnings(warnings: tuple[str, ...]) -> dbc.Alert | None:
    """The repair warnings of the suggested set (SPEC §3), or nothing."""
    if not warnings:
        return None
    lines = [html.Div("Предложенные пороги исправлены:", className="fw-semibold")]
    return dbc.Alert(lines + [html.Div(w) for w in warnings], color="info", className="mt-3 mb-0 small")


def render_status(suggestion: ThresholdSuggestion, pinned: set[str]) -> str:
    """The line next to «Сбросить»: what is pinned, the churn period and the base interval."""
    periods = f"Период оттока C = {suggestion.churn_period} дн., базовый интервал B = {suggestion.base_interval} дн."
    if not pinned:
        return f"Все пороги предложены по данным. {periods}"
    return f"Закреплено: {', '.join(sorted(pinned, key=THRESHOLD_NAMES.index))}. {periods}"


def render_history(history: list[ChainThresholds]) -> html.Div:
    """The chain's threshold sets, newest (in force) first: when, who, from where, which values were pinned."""
    if not history:
        return html.P(
            "Сеть ещё не утверждала набор порогов: все видят пороги, предложенные по данным периода. Закрепите "
            "значения и нажмите «Сохранить для всей сети» под заголовком.",
            className="text-muted small mb-0",
        )
    frame = pd.DataFrame(
        [
            {
                "saved_at": fmt.date_time(record.saved_at) + " UTC",
                "saved_by": record.saved_by,
                "origin": record.origin,
                "pins": record.describe() + (" (действует)" if position == 0 else ""),
            }
            for position, record in enumerate(history)
        ]
    )
    titles = {"saved_at": "Сохранён", "saved_by": "Кто", "origin": "Откуда", "pins": "Закреплённые пороги"}
    return html.Div([download_buttons("threshold_history"), table(frame, titles, class_name="rfma-history")])


# --- research sub-tabs ----------------------------------------------------------------------------------------

STAT_TITLES = {"count": "Количество", "min": "Минимум", "max": "Максимум", "mean": "Среднее", "median": "Медиана"}
CAPACITY_TITLES = {
    "r": "Емкость грейдов Recency",
    "f": "Емкость грейдов Frequency",
    "m": "Емкость грейдов Monetary (по среднему чеку клиента)",
    "a": "Емкость грейдов Age",
}


def stats_table(rows: dict[str, dict], digits: int = 2) -> dbc.Table:
    """Statistics (count, min, max, mean, median) of one or more value sets as a table."""
    frame = pd.DataFrame(
        [
            {"what": what} | {k: (fmt.integer(v) if k == "count" else fmt.number(v, digits)) for k, v in stats.items()}
            for what, stats in rows.items()
        ]
    )
    return table(frame, {"what": ""} | STAT_TITLES, class_name="rfma-stats")


def capacity(research: Research, metric: str):
    """Clients per grade of one metric."""
    figure = charts.grade_capacity(research.capacities[metric], CAPACITY_TITLES[metric])
    return graph(figure, ids.capacity_graph(metric))


def _subtab(research: Research, stats: dict[str, dict], digits: int, chart, metric: str, *notes) -> html.Div:
    """A sub-tab: the analysis date, the statistics table, a chart beside the metric's grade capacities, notes."""
    analysis = html.P(f"Дата анализа: {fmt.date(research.analysis_date)}.", className="text-muted small")
    capacities = [capacity(research, metric), download_buttons("capacities")]
    row = dbc.Row([dbc.Col(graph(chart), lg=7), dbc.Col(capacities, lg=5)], className="g-3")
    return html.Div([analysis, download_buttons("threshold_stats"), stats_table(stats, digits), row, *notes])


def _note(text: str) -> html.P:
    return html.P(text, className="text-muted small")


def render_research(subtab: str, research: Research) -> html.Div:
    """One sub-tab's statistics table and charts, with the thresholds in force marked."""
    t, stats = research.thresholds, research.stats
    if subtab == ids.SUBTAB_FREQUENCY:
        return _subtab(
            research,
            {"Частота F (покупок за базовый интервал)": stats["frequency"]},
            4,
            charts.frequency_distribution(research.frequency_histogram, t["f1"], t["f2"]),
            "f",
            _note(
                f"Базовый интервал B = r1 = {research.base_interval} дн.; f2 = B / r3; f1 — 85-й перцентиль частоты."
            ),
        )
    if subtab == ids.SUBTAB_MONETARY:
        return _subtab(
            research,
            {
                "Суммы идентифицированных чеков, ₽": stats["monetary"],
                "Средний чек клиентов, ₽": stats["monetary_clients"],
            },
            2,
            charts.monetary_deciles(research.monetary_deciles, t["m1"], t["m2"]),
            "m",
        )
    if subtab == ids.SUBTAB_AGE:
        return _subtab(
            research,
            {"Возраст клиента A, дней": stats["age"]},
            1,
            charts.age_distribution(research.age_histogram, t["a1"], t["a2"]),
            "a",
        )
    return _subtab(
        research,
        {"Давность D, дней": stats["recency"], "Перерывы между покупками, дней": stats["gaps"]},
        1,
        charts.recency_deciles(research.recency_deciles, t),
        "r",
        graph(charts.gap_distribution(research.gap_histogram, research.churn_period, t["r3"])),
        _note(f"Период оттока C = {research.churn_period} дн. — 95-й перцентиль перерывов между покупками."),
    )
