"""Tab «Миграция»: bonus date, level and value switches; the Sankey, the matrix and the warmth shares."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from layouts.components import loading

LEVELS = (("region", "Регионы"), ("cluster", "Кластеры"), ("class", "Классы"))
VALUES = (("clients", "клиенты"), ("revenue_after", "выручка после бонус-даты"))


def layout(first: str | None, last: str | None, bonus_date: str | None) -> html.Div:
    controls = dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Div("Бонус-дата", className="rfma-group-title"),
                            dcc.DatePickerSingle(
                                id=ids.MIGRATION.BONUS_DATE,
                                date=bonus_date,
                                min_date_allowed=first,
                                max_date_allowed=last,
                                initial_visible_month=bonus_date,
                                display_format="DD.MM.YYYY",
                                first_day_of_week=1,
                                placeholder="бонус-дата",
                            ),
                        ],
                        xs=12,
                        md=4,
                    ),
                    dbc.Col(
                        [
                            html.Div("Уровень", className="rfma-group-title"),
                            dbc.RadioItems(
                                id=ids.MIGRATION.LEVEL,
                                options=[{"label": label, "value": v} for v, label in LEVELS],
                                value="region",
                                inline=True,
                                persistence=True,
                                persistence_type="session",
                            ),
                        ],
                        xs=12,
                        md=4,
                    ),
                    dbc.Col(
                        [
                            html.Div("Матрица показывает", className="rfma-group-title"),
                            dbc.RadioItems(
                                id=ids.MIGRATION.VALUE,
                                options=[{"label": label, "value": v} for v, label in VALUES],
                                value="clients",
                                inline=True,
                                persistence=True,
                                persistence_type="session",
                            ),
                        ],
                        xs=12,
                        md=4,
                    ),
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
