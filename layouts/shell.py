"""The page: header, tab bar, the active tab's content and the page-level stores."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from layouts import clients, final, header, migration, pharmacies, thresholds

TABS = (
    (ids.TAB_CLIENTS, "Клиенты"),
    (ids.TAB_PHARMACIES, "Аптеки"),
    (ids.TAB_THRESHOLDS, "Пороги"),
    (ids.TAB_FINAL, "Финал"),
    (ids.TAB_MIGRATION, "Миграция"),
)


def default_bonus_date(first: str | None, last: str | None) -> str | None:
    """The middle of the data (the default bonus date)."""
    if not first or not last:
        return None
    lo, hi = dt.date.fromisoformat(first[:10]), dt.date.fromisoformat(last[:10])
    return (lo + (hi - lo) / 2).isoformat()


def tab_contents(bounds) -> dict:
    first, last = bounds if bounds else (None, None)
    return {
        ids.TAB_CLIENTS: clients.layout(),
        ids.TAB_PHARMACIES: pharmacies.layout(),
        ids.TAB_THRESHOLDS: thresholds.layout(),
        ids.TAB_FINAL: final.layout(),
        ids.TAB_MIGRATION: migration.layout(first, last, default_bonus_date(first, last)),
    }


def layout(bounds, source_text: str, source_error: str | None, pins: dict) -> html.Div:
    """Every tab is in the page (so every callback id exists); each tab's callbacks compute only while it is active."""
    contents = tab_contents(bounds)
    return html.Div(
        [
            header.layout(bounds, source_text, source_error),
            dbc.Container(
                [
                    dbc.Tabs(
                        [
                            dbc.Tab(
                                contents[tab_id],
                                label=label,
                                tab_id=tab_id,
                                tab_class_name=f"rfma-{tab_id}",
                                class_name="pt-3",
                            )
                            for tab_id, label in TABS
                        ],
                        id=ids.SHELL.TABS,
                        active_tab=ids.TAB_CLIENTS,
                        persistence=True,
                        persistence_type="session",
                        className="mt-3",
                    ),
                ],
                fluid=True,
            ),
            dcc.Store(id=ids.SHELL.PINS, data=pins, storage_type="memory"),
        ]
    )
