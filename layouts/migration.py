"""Tab «Миграция»: bonus date, level and value switches; the renderer of the Sankey, the matrix and the warmth
shares."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from core import formatting as fmt
from dashboard import ids
from dashboard.figures import migration as charts
from dashboard.services.migration import MigrationView
from layouts.components import RU_DATE_PICKER, graph, kpi, loading

LEVELS = (("region", "Регионы"), ("cluster", "Кластеры"), ("class", "Классы"))
VALUES = (("clients", "клиенты"), ("revenue_after", "выручка после бонус-даты"))


def _control(title: str, component) -> dbc.Col:
    return dbc.Col([html.Div(title, className="rfma-group-title"), component], xs=12, md=4)


def _switch(component_id: str, options: tuple[tuple[str, str], ...], value: str) -> dbc.RadioItems:
    return dbc.RadioItems(
        id=component_id,
        options=[{"label": label, "value": v} for v, label in options],
        value=value,
        inline=True,
        persistence=True,
        persistence_type="session",
    )


def layout(first: str | None, last: str | None, bonus_date: str | None) -> html.Div:
    """The controls (bonus date inside the period, level, value) and an empty body filled by callbacks.migration."""
    bonus = dcc.DatePickerSingle(
        id=ids.MIGRATION.BONUS_DATE,
        date=bonus_date,
        min_date_allowed=first,
        max_date_allowed=last,
        initial_visible_month=bonus_date,
        placeholder="бонус-дата",
        **RU_DATE_PICKER,
    )
    controls = dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    _control("Бонус-дата", bonus),
                    _control("Уровень", _switch(ids.MIGRATION.LEVEL, LEVELS, "region")),
                    _control("Матрица показывает", _switch(ids.MIGRATION.VALUE, VALUES, "clients")),
                ],
                className="g-3",
            )
        ),
        className="mb-3",
    )
    note = html.P(
        "Снимок 1 — чеки до бонус-даты включительно, снимок 2 — весь период. Оба снимка классифицированы одним "
        "набором порогов (закрепленные или предложенные по снимку 1). «новый» — клиент, которого не было "
        "до бонус-даты.",
        className="text-muted small",
    )
    return html.Div([controls, note, loading(html.Div(id=ids.MIGRATION.BODY, className="rfma-body"))])


def render_migration(view: MigrationView, level: str, value: str) -> html.Div:
    """Shares of warmed / stayed / cooled and new clients, the Sankey and the heatmap of one level."""
    s = view.shares
    matrix = view.matrices[level]
    cards = dbc.Row(
        [
            kpi(
                "Потеплели",
                fmt.percent(s["warmed_share"]),
                fmt.count(s["warmed"], *fmt.CLIENTS),
                ids.MIGRATION.WARMED,
            ),
            kpi("Остались", fmt.percent(s["stayed_share"]), fmt.count(s["stayed"], *fmt.CLIENTS), ids.MIGRATION.STAYED),
            kpi("Остыли", fmt.percent(s["cooled_share"]), fmt.count(s["cooled"], *fmt.CLIENTS), ids.MIGRATION.COOLED),
            kpi("Новые клиенты", fmt.integer(s["new"]), "впервые купили после бонус-даты", ids.MIGRATION.NEW),
        ],
        className="g-3 mb-2",
        id=ids.MIGRATION.SHARES,
    )
    among = fmt.count(s["returning"], "клиента", "клиентов", "клиентов")  # genitive after «среди»
    note = html.P(
        f"Бонус-дата {fmt.date(view.bonus_date)}. Доли — среди {among}, "
        "бывших до бонус-даты; «потеплели» — цифра прогрева региона уменьшилась (например, 4 → 2).",
        className="text-muted small",
    )
    used = ", ".join(f"{name} = {fmt.threshold(value)}" for name, value in view.thresholds.items())
    thresholds = html.P(
        f"Оба снимка классифицированы одними порогами (закреплёнными или предложенными по снимку до бонус-даты, "
        f"поэтому «после» может отличаться от вкладки «Финал»): {used}.",
        className="text-muted small",
        id=ids.MIGRATION.THRESHOLDS,
    )
    warnings = [dbc.Alert(w, color="info", className="small py-2") for w in view.warnings]
    return html.Div(
        [
            cards,
            note,
            thresholds,
            *warnings,
            graph(charts.migration_sankey(matrix, level, "clients"), ids.MIGRATION.SANKEY),  # flows of clients
            graph(charts.migration_heatmap(matrix, level, value), ids.MIGRATION.HEATMAP),
        ]
    )
