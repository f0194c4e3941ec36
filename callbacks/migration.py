"""Tab «Миграция»: bonus-date bounds, the Sankey, the matrix heatmap and the warmed/stayed/cooled shares."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, html

from callbacks.common import safely
from core import formatting as fmt
from dashboard import figures, ids
from dashboard.services import MigrationView, current_services
from layouts.components import graph, kpi


def bonus_bounds(start, end):
    """The bonus date may be picked only inside the period."""
    return (start or None) and start[:10], (end or None) and end[:10]


def migration_body(view: MigrationView, level: str, value: str):
    s = view.shares
    matrix = view.matrices[level]
    cards = dbc.Row(
        [
            kpi(
                "Потеплели",
                fmt.percent(s["warmed_share"]),
                f"{fmt.integer(s['warmed'])} клиентов",
                id="migration-warmed",
            ),
            kpi(
                "Остались",
                fmt.percent(s["stayed_share"]),
                f"{fmt.integer(s['stayed'])} клиентов",
                id="migration-stayed",
            ),
            kpi(
                "Остыли", fmt.percent(s["cooled_share"]), f"{fmt.integer(s['cooled'])} клиентов", id="migration-cooled"
            ),
            kpi("Новые клиенты", fmt.integer(s["new"]), "впервые купили после бонус-даты", id="migration-new"),
        ],
        className="g-3 mb-2",
        id=ids.MIGRATION.SHARES,
    )
    note = html.P(
        f"Бонус-дата {fmt.date(view.bonus_date)}. Доли — среди {fmt.integer(s['returning'])} клиентов, "
        "бывших до бонус-даты; «потеплели» — цифра прогрева региона уменьшилась (например, 4 → 2).",
        className="text-muted small",
    )
    warnings = [dbc.Alert(w, color="info", className="small py-2") for w in view.warnings]
    return html.Div(
        [
            cards,
            note,
            *warnings,
            graph(figures.migration_sankey(matrix, level, value), ids.MIGRATION.SANKEY),
            graph(figures.migration_heatmap(matrix, level, value), ids.MIGRATION.HEATMAP),
        ]
    )


def update_migration(active_tab, bonus_date, level, value, start, end, pins):
    if active_tab != ids.TAB_MIGRATION:
        return None
    level = level or "region"
    value = value or "clients"
    return safely(lambda: migration_body(current_services().migration_view(start, end, bonus_date, pins), level, value))


def register(app) -> None:
    app.callback(
        Output(ids.MIGRATION.BONUS_DATE, "min_date_allowed"),
        Output(ids.MIGRATION.BONUS_DATE, "max_date_allowed"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
    )(bonus_bounds)
    app.callback(
        Output(ids.MIGRATION.BODY, "children"),
        Input(ids.SHELL.TABS, "active_tab"),
        Input(ids.MIGRATION.BONUS_DATE, "date"),
        Input(ids.MIGRATION.LEVEL, "value"),
        Input(ids.MIGRATION.VALUE, "value"),
        Input(ids.HEADER.PERIOD, "start_date"),
        Input(ids.HEADER.PERIOD, "end_date"),
        Input(ids.SHELL.PINS, "data"),
    )(update_migration)
