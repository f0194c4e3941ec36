"""Tab «Пороги»: threshold inputs (edit = pin, clear = unpin, reset), repair warnings, research charts."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, html, no_update

from callbacks.common import error_message, safely
from core import formatting as fmt
from core.model import THRESHOLD_NAMES, RfmaError, ThresholdOrderError, parse_threshold_value
from core.research import Research
from dashboard import figures, ids
from dashboard.services import current_services
from layouts.components import graph, message, table

STAT_TITLES = {"count": "Количество", "min": "Минимум", "max": "Максимум", "mean": "Среднее", "median": "Медиана"}


def display_value(value):
    """A threshold as the input shows it (days as int, others rounded to 6 decimals)."""
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 6)


def propose_pin(pins: dict, in_force: dict, name: str, typed) -> tuple[dict, bool]:
    """The pins after the user typed `typed` into the input of `name`; (pins, changed).

    An empty input unpins; the value already in force changes nothing; anything else pins it.
    Raises RfmaError for a value that is not a valid number for this threshold.
    """
    pins = dict(pins or {})
    if typed is None or (isinstance(typed, str) and typed.strip() == ""):
        if name in pins:
            pins.pop(name)
            return pins, True
        return pins, False
    value = parse_threshold_value(name, typed)
    current = pins.get(name, in_force.get(name))
    if current is not None and float(value) == float(display_value(current)):
        return pins, False
    pins[name] = value
    return pins, True


def edit_thresholds(values, _reset, active_tab, start, end, pins):
    """One callback owns the inputs and the pins store (they feed each other): no cycle between callbacks."""
    names = [item["id"]["name"] for item in ctx.inputs_list[0]] if ctx.inputs_list else list(THRESHOLD_NAMES)
    trigger = ctx.triggered_id
    user_edit = trigger == ids.THRESHOLDS.RESET or isinstance(trigger, dict)
    if active_tab != ids.TAB_THRESHOLDS and not user_edit:
        unchanged = [no_update] * len(names)
        return unchanged, unchanged, unchanged, unchanged, no_update, no_update, no_update, no_update
    return threshold_editor(names, values, trigger, start, end, pins)


def threshold_editor(names, values, trigger, start, end, pins):
    """Outputs: input values, input classes, input invalid flags, hints, pins store, error, warnings, status."""
    services = current_services()
    pins = dict(pins or {})
    typed = dict(zip(names, values, strict=False))
    new_pins, error, invalid_name = pins, None, None
    unchanged = [no_update] * len(names)
    try:
        if trigger == ids.THRESHOLDS.RESET:
            new_pins = {}
        elif isinstance(trigger, dict) and trigger.get("name") in typed:
            invalid_name = trigger["name"]
            in_force = _in_force(services, start, end, pins)
            candidate, changed = propose_pin(pins, in_force, invalid_name, typed[invalid_name])
            if changed:
                services.thresholds_in_force(start, end, candidate)  # raises ThresholdOrderError
                new_pins = candidate
            invalid_name = None
        suggestion = services.thresholds_in_force(start, end, new_pins)
    except ThresholdOrderError as exc:
        error = str(exc)
        if invalid_name is None:  # the saved pins do not fit this period
            return (unchanged, unchanged, [False] * len(names), unchanged, no_update, error_message(exc), None, "")
        try:
            suggestion = services.thresholds_in_force(start, end, pins)
        except Exception as inner:
            return (unchanged, unchanged, unchanged, unchanged, no_update, error_message(inner), None, "")
    except RfmaError as exc:
        if invalid_name is not None:  # a bad number in one input: keep everything else
            flags = [name == invalid_name for name in names]
            return (
                unchanged,
                unchanged,
                flags,
                unchanged,
                no_update,
                message(str(exc), "danger"),
                no_update,
                no_update,
            )
        return (unchanged, unchanged, [False] * len(names), unchanged, no_update, error_message(exc), None, "")
    except Exception as exc:
        return (unchanged, unchanged, [False] * len(names), unchanged, no_update, error_message(exc), None, "")

    thresholds = suggestion.thresholds.as_dict()
    pinned = set(new_pins)
    if new_pins != pins:
        services.save_pins(new_pins)
    out_values = [no_update if (error and name == invalid_name) else display_value(thresholds[name]) for name in names]
    classes = ["rfma-threshold-input" + (" rfma-pinned" if name in pinned else "") for name in names]
    flags = [bool(error) and name == invalid_name for name in names]
    hints = ["закреплено" if name in pinned else "предложено" for name in names]
    error_box = (
        message(error + " Последний верный набор порогов остается в силе.", "danger", "Пороги не упорядочены")
        if error
        else None
    )
    warnings = (
        dbc.Alert(
            [html.Div("Предложенные пороги исправлены:", className="fw-semibold")]
            + [html.Div(w) for w in suggestion.warnings],
            color="info",
            className="mt-3 mb-0 small",
        )
        if suggestion.warnings
        else None
    )
    status = (
        f"Закреплено: {', '.join(sorted(pinned, key=THRESHOLD_NAMES.index))}. "
        f"Период оттока C = {suggestion.churn_period} дн., "
        f"базовый интервал B = {suggestion.base_interval} дн."
        if pinned
        else f"Все пороги предложены по данным. Период оттока C = {suggestion.churn_period} дн., "
        f"базовый интервал B = {suggestion.base_interval} дн."
    )
    pins_out = new_pins if new_pins != pins else no_update
    return out_values, classes, flags, hints, pins_out, error_box, warnings, status


def _in_force(services, start, end, pins) -> dict:
    try:
        return services.thresholds_in_force(start, end, pins).thresholds.as_dict()
    except RfmaError:
        return {}


# --- research charts ---------------------------------------------------------------------------------------------


def stats_table(rows: dict[str, dict], digits: int = 2):
    """Statistics (count, min, max, mean, median) of one or more value sets as a table."""
    import pandas as pd

    frame = pd.DataFrame(
        [
            {"what": what} | {k: (fmt.integer(v) if k == "count" else fmt.number(v, digits)) for k, v in stats.items()}
            for what, stats in rows.items()
        ]
    )
    return table(frame, {"what": ""} | STAT_TITLES, class_name="rfma-stats")


def research_body(subtab: str, research: Research):
    t = research.thresholds
    capacity_titles = {
        "r": "Емкость грейдов Recency",
        "f": "Емкость грейдов Frequency",
        "m": "Емкость грейдов Monetary (по среднему чеку клиента)",
        "a": "Емкость грейдов Age",
    }

    def capacity(metric):
        return graph(
            figures.grade_capacity(research.capacities[metric], capacity_titles[metric]),
            f"capacity-{metric}",
        )

    analysis = html.P(f"Дата анализа: {fmt.date(research.analysis_date)}.", className="text-muted small")
    if subtab == ids.SUBTAB_FREQUENCY:
        return html.Div(
            [
                analysis,
                stats_table({"Частота F (покупок за базовый интервал)": research.stats["frequency"]}, 4),
                dbc.Row(
                    [
                        dbc.Col(
                            graph(figures.frequency_distribution(research.frequency_histogram, t["f1"], t["f2"])), lg=7
                        ),
                        dbc.Col(capacity("f"), lg=5),
                    ],
                    className="g-3",
                ),
                html.P(
                    f"Базовый интервал B = r1 = {research.base_interval} дн.; f2 = B / r3; "
                    "f1 — 85-й перцентиль частоты.",
                    className="text-muted small",
                ),
            ]
        )
    if subtab == ids.SUBTAB_MONETARY:
        return html.Div(
            [
                analysis,
                stats_table(
                    {
                        "Суммы идентифицированных чеков, ₽": research.stats["monetary"],
                        "Средний чек клиентов, ₽": research.stats["monetary_clients"],
                    }
                ),
                dbc.Row(
                    [
                        dbc.Col(graph(figures.monetary_deciles(research.monetary_deciles, t["m1"], t["m2"])), lg=7),
                        dbc.Col(capacity("m"), lg=5),
                    ],
                    className="g-3",
                ),
            ]
        )
    if subtab == ids.SUBTAB_AGE:
        return html.Div(
            [
                analysis,
                stats_table({"Возраст клиента A, дней": research.stats["age"]}, 1),
                dbc.Row(
                    [
                        dbc.Col(graph(figures.age_distribution(research.age_histogram, t["a1"], t["a2"])), lg=7),
                        dbc.Col(capacity("a"), lg=5),
                    ],
                    className="g-3",
                ),
            ]
        )
    return html.Div(
        [
            analysis,
            stats_table(
                {
                    "Давность D, дней": research.stats["recency"],
                    "Перерывы между покупками, дней": research.stats["gaps"],
                },
                1,
            ),
            dbc.Row(
                [
                    dbc.Col(graph(figures.recency_deciles(research.recency_deciles, t)), lg=6),
                    dbc.Col(capacity("r"), lg=6),
                ],
                className="g-3",
            ),
            graph(figures.gap_distribution(research.gap_histogram, research.churn_period, t["r3"])),
            html.P(
                f"Период оттока C = {research.churn_period} дн. — 95-й перцентиль перерывов между покупками.",
                className="text-muted small",
            ),
        ]
    )


def update_research(active_tab: str, subtab: str, start, end, pins):
    if active_tab != ids.TAB_THRESHOLDS:
        return None
    return safely(lambda: research_body(subtab, current_services().research(start, end, pins)))


def register(app) -> None:
    app.callback(
        Output(ids.threshold_input(ALL), "value"),
        Output(ids.threshold_input(ALL), "className"),
        Output(ids.threshold_input(ALL), "invalid"),
        Output(ids.threshold_hint(ALL), "children"),
        Output(ids.SHELL.PINS, "data"),
        Output(ids.THRESHOLDS.ERROR, "children"),
        Output(ids.THRESHOLDS.WARNINGS, "children"),
        Output(ids.THRESHOLDS.STATUS, "children"),
        Input(ids.threshold_input(ALL), "value"),
        Input(ids.THRESHOLDS.RESET, "n_clicks"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        State(ids.SHELL.PINS, "data"),
    )(edit_thresholds)
    app.callback(
        Output(ids.THRESHOLDS.BODY, "children"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.THRESHOLDS.SUBTABS, "active_tab"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        Input(ids.SHELL.PINS, "data"),
    )(update_research)
