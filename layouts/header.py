"""The header: title, the period used by every tab, presets and the data-source line."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from core import formatting as fmt
from core.db import DataSource
from dashboard import ids
from dashboard.services.page_state import PageState
from dashboard.services.shell import PageView
from layouts.components import RU_DATE_PICKER


def source_line(name: str, source: DataSource) -> str:
    """The header's data-source line: the configured name, never the URL."""
    last = fmt.date_time(source.last_datetime)
    return f"Источник данных: {name} · чеков: {fmt.integer(source.cheques)} · последний чек: {last}"


def layout(page: PageView, state: PageState | None = None) -> html.Header:
    """The header of the page (the period picker spans the data's first … last cheque date; it opens on the
    address's period, else all of it) and the «Справка» button."""
    first, last = page.bounds if page.bounds else (None, None)
    start, end = (state.start, state.end) if state and state.start and state.end else (first, last)
    source_error = page.error
    source_text = source_line(page.name, page.source) if page.source is not None else ""
    period = dcc.DatePickerRange(
        id=ids.HEADER.PERIOD,
        start_date=start,
        end_date=end,
        min_date_allowed=first,
        max_date_allowed=last,
        initial_visible_month=end,
        start_date_placeholder_text="начало",
        end_date_placeholder_text="конец",
        clearable=False,
        minimum_nights=0,
        updatemode="bothdates",
        **RU_DATE_PICKER,
    )
    presets = dbc.ButtonGroup(
        [
            dbc.Button("Все данные", id=ids.HEADER.PRESET_ALL, outline=True, color="secondary", size="sm"),
            dbc.Button("Последний год", id=ids.HEADER.PRESET_YEAR, outline=True, color="secondary", size="sm"),
            dbc.Button("Последние 3 месяца", id=ids.HEADER.PRESET_QUARTER, outline=True, color="secondary", size="sm"),
            dbc.Button("Последний месяц", id=ids.HEADER.PRESET_MONTH, outline=True, color="secondary", size="sm"),
        ],
        className="ms-md-2 mt-2 mt-md-0",
    )
    help_button = dbc.Button(
        "Справка", id=ids.HEADER.HELP_BUTTON, color="info", outline=True, size="sm", className="ms-md-2 mt-2 mt-md-0"
    )
    source = html.Div(
        source_error or source_text,
        id=ids.HEADER.SOURCE,
        className="rfma-source text-danger" if source_error else "rfma-source text-muted",
    )
    return html.Header(
        dbc.Container(
            [
                dbc.Row(
                    [
                        dbc.Col(html.H1("RFMA-анализ клиентов аптечной сети", className="rfma-title"), lg=5),
                        dbc.Col(
                            html.Div(
                                [html.Span("Период:", className="me-2 fw-semibold"), period, presets, help_button],
                                className="d-flex flex-wrap align-items-center justify-content-lg-end",
                            ),
                            lg=7,
                        ),
                    ],
                    className="align-items-center g-2",
                ),
                source,
                html.Div(id=ids.HEADER.PERIOD_NOTE, className="rfma-period-note small text-warning-emphasis"),
            ],
            fluid=True,
        ),
        className="rfma-header",
    )
