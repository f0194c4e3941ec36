"""The page: header, tab bar, every tab's skeleton and the page-level stores."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.services.migration import bonus_date_inside
from dashboard.services.page_state import PageState
from dashboard.services.shell import PageView
from layouts import campaigns, clients, cohorts, final, header, help, history, migration, pharmacies, thresholds

TABS = (
    (ids.TAB_CLIENTS, "Клиенты"),
    (ids.TAB_PHARMACIES, "Аптеки"),
    (ids.TAB_THRESHOLDS, "Пороги"),
    (ids.TAB_FINAL, "Финал"),
    (ids.TAB_MIGRATION, "Миграция"),
    (ids.TAB_COHORTS, "Когорты"),
    (ids.TAB_HISTORY, "История"),
    (ids.TAB_CAMPAIGNS, "Кампании"),
)


def tab_contents(page: PageView, state: PageState) -> dict:
    """Each tab's skeleton by tab id, opened with the address's state (the «Финал» selection and filters)."""
    first, last = page.bounds if page.bounds else (None, None)
    return {
        ids.TAB_CLIENTS: clients.layout(),
        ids.TAB_PHARMACIES: pharmacies.layout(),
        ids.TAB_THRESHOLDS: thresholds.layout(),
        ids.TAB_FINAL: final.layout(state),
        ids.TAB_MIGRATION: migration.layout(first, last, bonus_date_inside(state.start, state.end, page.bonus_date)),
        ids.TAB_COHORTS: cohorts.layout(state.segment),
        ids.TAB_HISTORY: history.layout(),
        ids.TAB_CAMPAIGNS: campaigns.layout(),
    }


def layout(page: PageView, state: PageState | None = None) -> html.Div:
    """Every tab is in the page (so every callback id exists); each tab's callbacks compute only while it is active.

    `state` is what the address asked for (dashboard.services.page_state), already checked against the data;
    the page opens with it rendered here, so the first load costs no extra round trip.
    """
    if state is None:
        start, end = page.bounds if page.bounds else (None, None)
        state = PageState(start=start, end=end)
    contents = tab_contents(page, state)
    tabs = [
        dbc.Tab(contents[tab_id], label=label, tab_id=tab_id, tab_class_name=f"rfma-{tab_id}", class_name="pt-3")
        for tab_id, label in TABS
    ]
    return html.Div(
        [
            header.layout(page, state),
            dbc.Container(
                [
                    html.Div(id=ids.SHELL.DOWNLOAD_MESSAGE),
                    dbc.Tabs(
                        tabs,
                        id=ids.SHELL.TABS,
                        active_tab=state.tab,
                        className="mt-3",
                    ),
                ],
                fluid=True,
            ),
            # the draft survives a reload of this browser tab and is nobody else's; None follows the chain's set
            dcc.Store(id=ids.SHELL.DRAFT, data=None, storage_type="session"),
            dcc.Download(id=ids.SHELL.DOWNLOAD),  # every table's CSV / XLSX and the workbook (callbacks.tables)
            help.help_panel(),
        ]
    )
